#include "media/image_io.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

#include <unistd.h>

#include <cstdio>
#include <utility>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "auhead/error.h"
#include "core/stderr_capture.h"
#include "core/atomic_file.h"
#include "core/input_file.h"

namespace fs = std::filesystem;

namespace auhead::media {

namespace {

enum class ImageKind { png, webp, tiff, other };

// The container, from the file's first bytes.
ImageKind sniff_image(const fs::path& file) {
  std::array<char, 16> head{};
  std::ifstream in(file, std::ios::binary);
  in.read(head.data(), head.size());
  const auto n = in.gcount();
  if (n >= 8 && std::memcmp(head.data(), "\x89PNG\r\n\x1a\n", 8) == 0) return ImageKind::png;
  if (n >= 12 && std::memcmp(head.data(), "RIFF", 4) == 0 && std::memcmp(head.data() + 8, "WEBP", 4) == 0)
    return ImageKind::webp;
  if (n >= 4 && (std::memcmp(head.data(), "II*\0", 4) == 0 || std::memcmp(head.data(), "MM\0*", 4) == 0))
    return ImageKind::tiff;
  return ImageKind::other;
}

// The PNG file's bytes without its iCCP (ICC colour profile) chunks. OpenCV ignores the profile, and
// libpng prints a warning on stderr for common malformed ones ("known incorrect sRGB profile"), which
// --quiet cannot silence. Chunks are length, type, data, CRC; anything malformed is left as it is for
// the decoder to report.
std::vector<uchar> read_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::vector<uchar>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::vector<uchar> png_without_icc_profile(const fs::path& file) {
  std::vector<uchar> bytes = read_bytes(file);
  std::vector<uchar> out(bytes.begin(), bytes.begin() + std::min<std::size_t>(8, bytes.size()));
  std::size_t pos = 8;
  while (pos + 12 <= bytes.size()) {
    const std::size_t length = std::size_t(bytes[pos]) << 24 | std::size_t(bytes[pos + 1]) << 16 |
                               std::size_t(bytes[pos + 2]) << 8 | std::size_t(bytes[pos + 3]);
    if (length > bytes.size() - pos - 12) break;
    const std::size_t end = pos + 12 + length;
    if (std::memcmp(&bytes[pos + 4], "iCCP", 4) != 0) out.insert(out.end(), bytes.begin() + pos, bytes.begin() + end);
    pos = end;
  }
  out.insert(out.end(), bytes.begin() + std::min(pos, bytes.size()), bytes.end());
  return out;
}

// Images larger than this are refused from their header, before a decoder allocates the pixels
// (README: Hostile input): 16 384 pixels a side, 64 megapixels in all.
constexpr uint64_t kMaxImageSide = 16384, kMaxImagePixels = 64ull << 20;

uint32_t be16(const uchar* p) { return uint32_t(p[0]) << 8 | p[1]; }
uint32_t be32(const uchar* p) { return be16(p) << 16 | be16(p + 2); }
uint32_t le16(const uchar* p) { return uint32_t(p[1]) << 8 | p[0]; }

struct JpegLayout {
  bool ok = false;          // markers walked up to the first scan
  uint32_t width = 0, height = 0;
  std::size_t scan = 0;     // offset of the first SOS marker
};

// Walks a JPEG's marker segments (each with its length, so an EXIF thumbnail inside APP1 is skipped)
// up to the first scan, reading the frame size from the SOF marker on the way.
JpegLayout jpeg_layout(const std::vector<uchar>& b) {
  JpegLayout j;
  std::size_t p = 2;
  while (p + 4 <= b.size()) {
    if (b[p] != 0xFF) return j;
    const uchar m = b[p + 1];
    if (m == 0xFF) { ++p; continue; }  // fill byte
    if (m == 0xD8 || (m >= 0xD0 && m <= 0xD7) || m == 0x01) { p += 2; continue; }
    const std::size_t len = be16(&b[p + 2]);
    if (len < 2 || p + 2 + len > b.size()) return j;
    const bool sof = m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
    if (sof && len >= 7) {
      j.height = be16(&b[p + 5]);
      j.width = be16(&b[p + 7]);
    }
    if (m == 0xDA) {
      j.scan = p;
      j.ok = true;
      return j;
    }
    p += 2 + len;
  }
  return j;
}

// The pixel size an image header claims (0 × 0 when the format is not one we read here: TIFF and
// others go to OpenCV, whose own limit applies).
std::pair<uint64_t, uint64_t> header_size(const std::vector<uchar>& b, ImageKind kind) {
  if (kind == ImageKind::png && b.size() >= 24 && std::memcmp(&b[12], "IHDR", 4) == 0) return {be32(&b[16]), be32(&b[20])};
  if (kind == ImageKind::webp && b.size() >= 30) {
    if (std::memcmp(&b[12], "VP8X", 4) == 0)
      return {1 + (le16(&b[24]) | uint32_t(b[26]) << 16), 1 + (le16(&b[27]) | uint32_t(b[29]) << 16)};
    if (std::memcmp(&b[12], "VP8 ", 4) == 0) return {le16(&b[26]) & 0x3fff, le16(&b[28]) & 0x3fff};
    if (std::memcmp(&b[12], "VP8L", 4) == 0 && b.size() >= 25) {
      const uint32_t bits = uint32_t(b[21]) | uint32_t(b[22]) << 8 | uint32_t(b[23]) << 16 | uint32_t(b[24]) << 24;
      return {1 + (bits & 0x3fff), 1 + ((bits >> 14) & 0x3fff)};
    }
  }
  if (kind == ImageKind::other && b.size() >= 4 && b[0] == 0xFF && b[1] == 0xD8) {
    JpegLayout j = jpeg_layout(b);
    return {j.width, j.height};
  }
  return {0, 0};
}

cv::Mat to_rgb8(const cv::Mat& img) {
  cv::Mat img8;
  if (img.depth() == CV_8U) {
    img8 = img;
  } else if (img.depth() == CV_16U) {
    img.convertTo(img8, CV_8U, 1.0 / 257.0);
  } else if (img.depth() == CV_32F || img.depth() == CV_64F) {
    img.convertTo(img8, CV_8U, 255.0);
  } else {
    img.convertTo(img8, CV_8U);
  }
  cv::Mat rgb;
  switch (img8.channels()) {
    case 1:
      cv::cvtColor(img8, rgb, cv::COLOR_GRAY2RGB);
      break;
    case 3:
      cv::cvtColor(img8, rgb, cv::COLOR_BGR2RGB);
      break;
    case 4: {
      // Composite over white: out = a * c + (1 - a) * 255.
      cv::Mat bgra_f;
      img8.convertTo(bgra_f, CV_32F, 1.0 / 255.0);
      std::vector<cv::Mat> ch;
      cv::split(bgra_f, ch);
      cv::Mat inv = 1.0 - ch[3];
      std::vector<cv::Mat> out(3);
      for (int i = 0; i < 3; ++i) out[2 - i] = ch[i].mul(ch[3]) + inv;  // BGR -> RGB
      cv::Mat rgb_f;
      cv::merge(out, rgb_f);
      rgb_f.convertTo(rgb, CV_8U, 255.0);
      break;
    }
    default:
      return {};
  }
  return rgb;
}

}  // namespace

cv::Mat load_image_rgb(const fs::path& file) {
  const std::string name = file.string();
  if (check_input_file(file) == 0) throw input_error(name, "is empty");
  const ImageKind kind = sniff_image(file);
  std::vector<uchar> bytes = kind == ImageKind::png ? png_without_icc_profile(file) : read_bytes(file);
  const auto [w, h] = header_size(bytes, kind);
  if (w > kMaxImageSide || h > kMaxImageSide || w * h > kMaxImagePixels)
    throw input_error(name, "claims " + std::to_string(w) + "x" + std::to_string(h) + " pixels; images are limited to " +
                                std::to_string(kMaxImageSide) + " a side and " + std::to_string(kMaxImagePixels >> 20) +
                                " megapixels");
  if (kind == ImageKind::other && bytes.size() >= 2 && bytes[0] == 0xFF && bytes[1] == 0xD8) {
    // A JPEG cut short decodes to a half-grey picture with only a warning: require the end marker.
    // (Markers that cannot be walked are left to the decoder to report.)
    const JpegLayout j = jpeg_layout(bytes);
    bool end = !j.ok;
    for (std::size_t p = bytes.size(); !end && p >= j.scan + 2; --p) end = bytes[p - 2] == 0xFF && bytes[p - 1] == 0xD9;
    if (!end) throw input_error(name, "corrupt JPEG: the file ends before the image does (truncated?)");
  }
  cv::Mat img;
  std::string said;
  try {
    // Formats that can carry alpha are read unchanged so that alpha can be composited; the others go
    // through IMREAD_COLOR, which applies EXIF orientation.
    const int flags = kind == ImageKind::other ? cv::IMREAD_COLOR : cv::IMREAD_UNCHANGED;
    said = with_stderr_captured([&] { img = cv::imdecode(bytes, flags); });
  } catch (const cv::Exception& e) {
    throw input_error(name, "not an image or corrupt: " + e.msg);
  }
  if (img.empty()) throw input_error(name, "not an image or corrupt" + (said.empty() ? "" : ": " + said));
  // A decoder that complained but still produced pixels (corrupt data, a bad CRC) gave a damaged image.
  if (!said.empty()) throw input_error(name, "corrupt image: " + said);
  cv::Mat rgb = to_rgb8(img);
  if (rgb.empty() || rgb.type() != CV_8UC3)
    throw input_error(name, "not an image or corrupt: unsupported " + std::to_string(img.channels()) + "-channel image");
  return rgb;
}

void write_png(const fs::path& file, const cv::Mat& rgb) {
  const std::string name = file.string();
  if (rgb.empty() || (rgb.type() != CV_8UC3 && rgb.type() != CV_8UC1))
    throw Error(ExitCode::internal, name + ": write_png needs a non-empty CV_8UC3 (RGB) or CV_8UC1 image");
  AtomicFile out(file);
  cv::Mat bgr;
  if (rgb.channels() == 3)
    cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  else
    bgr = rgb;
  bool ok = false;
  std::string why = "encoder failed";
  std::string said;
  try {
    said = with_stderr_captured([&] { ok = cv::imwrite(out.temp_path().string(), bgr); });
  } catch (const cv::Exception& e) {
    why = e.msg;
  }
  if (!said.empty()) why += " (" + said + ")";
  std::error_code ec;
  if (!ok || !fs::exists(out.temp_path(), ec)) throw output_error(name, "cannot write PNG: " + why);
  out.commit();
}

}  // namespace auhead::media
