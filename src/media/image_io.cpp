#include "media/image_io.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "auhead/error.h"
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
std::vector<uchar> png_without_icc_profile(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::vector<uchar> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
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
  cv::Mat img;
  try {
    // Formats that can carry alpha are read unchanged so that alpha can be composited; the others go
    // through IMREAD_COLOR, which applies EXIF orientation.
    switch (sniff_image(file)) {
      case ImageKind::png: img = cv::imdecode(png_without_icc_profile(file), cv::IMREAD_UNCHANGED); break;
      case ImageKind::webp:
      case ImageKind::tiff: img = cv::imread(name, cv::IMREAD_UNCHANGED); break;
      case ImageKind::other: img = cv::imread(name, cv::IMREAD_COLOR); break;
    }
  } catch (const cv::Exception& e) {
    throw input_error(name, "not an image or corrupt: " + e.msg);
  }
  if (img.empty()) throw input_error(name, "not an image or corrupt");
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
  try {
    ok = cv::imwrite(out.temp_path().string(), bgr);
  } catch (const cv::Exception& e) {
    why = e.msg;
  }
  std::error_code ec;
  if (!ok || !fs::exists(out.temp_path(), ec)) throw output_error(name, "cannot write PNG: " + why);
  out.commit();
}

}  // namespace auhead::media
