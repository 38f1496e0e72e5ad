#include "media/png_sequence_writer.h"

#include <cstdio>
#include <random>
#include <regex>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "auhead/error.h"
#include "core/stderr_capture.h"
#include "core/atomic_file.h"

namespace fs = std::filesystem;

namespace auhead::media {

namespace {

bool is_frame_name(const std::string& name) {
  static const std::regex pattern(R"(frame_\d{6,}\.png)");
  return std::regex_match(name, pattern);
}

// True if the folder holds nothing but an earlier frame sequence.
bool replaceable(const fs::path& folder) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    if (!entry.is_regular_file(ec) || !is_frame_name(entry.path().filename().string())) return false;
  }
  return !ec;
}

// A hidden name beside the target: ".<name>.<tag>-<random>".
fs::path sibling(const fs::path& target, const char* tag) {
  std::random_device rd;
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, "%06x", std::uniform_int_distribution<unsigned>(0, 0xffffff)(rd));
  std::string name = ".";
  name.append(target.filename().string()).append(".").append(tag).append("-").append(suffix);
  fs::path parent = target.parent_path();
  return parent.empty() ? fs::path(name) : parent / name;
}

}  // namespace

std::string PngSequenceWriter::frame_name(int index) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "frame_%06d.png", index);
  return buf;
}

PngSequenceWriter::PngSequenceWriter(const fs::path& folder) : target_(folder) {
  const std::string name = folder.string();
  if (target_.filename().empty()) target_ = target_.parent_path();  // "out/" -> "out"
  std::error_code ec;
  if (fs::exists(target_, ec)) {
    if (!fs::is_directory(target_, ec)) throw output_error(name, "exists and is not a folder");
    if (!replaceable(target_))
      throw output_error(name, "folder exists and holds files other than frame_NNNNNN.png; not replacing it");
  }
  fs::path parent = target_.parent_path();
  if (parent.empty()) parent = ".";
  fs::create_directories(parent, ec);
  if (ec) throw output_error(name, "cannot create folder " + parent.string() + ": " + ec.message());
  temp_ = sibling(target_, "tmp");
  fs::create_directory(temp_, ec);
  if (ec) throw output_error(name, "cannot create a folder in " + parent.string() + ": " + ec.message());
  slot_ = track_temporary_folder(temp_);
}

PngSequenceWriter::~PngSequenceWriter() {
  if (!finished_ && !temp_.empty()) {
    std::error_code ec;
    fs::remove_all(temp_, ec);
  }
  untrack_temporary_folder(slot_);
}

void PngSequenceWriter::write(const cv::Mat& rgb) {
  const std::string name = target_.string();
  if (finished_) throw Error(ExitCode::internal, name + ": frame written after finish()");
  if (rgb.empty() || rgb.type() != CV_8UC3)
    throw Error(ExitCode::internal, name + ": frames must be non-empty CV_8UC3 RGB images");
  cv::Mat bgr;
  cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  const fs::path file = temp_ / frame_name(frames_);
  bool ok = false;
  std::string why = "encoder failed";
  std::string said;
  try {
    said = with_stderr_captured([&] { ok = cv::imwrite(file.string(), bgr); });
  } catch (const cv::Exception& e) {
    why = e.msg;
  }
  if (!said.empty()) why += " (" + said + ")";
  std::error_code ec;
  if (!ok || !fs::exists(file, ec)) throw output_error(name, "cannot write " + frame_name(frames_) + ": " + why);
  ++frames_;
}

void PngSequenceWriter::finish() {
  if (finished_) return;
  const std::string name = target_.string();
  std::error_code ec;
  fs::path old;  // an earlier sequence moved aside, removed once the new one is in place
  if (fs::exists(target_, ec)) {
    old = sibling(target_, "old");
    fs::rename(target_, old, ec);
    if (ec) throw output_error(name, "cannot replace the existing folder: " + ec.message());
  }
  fs::rename(temp_, target_, ec);
  if (ec) {
    std::error_code ignored;
    if (!old.empty()) fs::rename(old, target_, ignored);
    throw output_error(name, "cannot write: " + ec.message());
  }
  finished_ = true;
  untrack_temporary_folder(slot_);
  slot_ = -1;
  if (!old.empty()) fs::remove_all(old, ec);
}

}  // namespace auhead::media
