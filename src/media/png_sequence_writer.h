// Frames as numbered PNG files (frame_000000.png, ...) in a folder, for tools that take image
// sequences. The folder appears whole on finish(): frames go to a temporary folder beside it.
#pragma once
#include <filesystem>
#include <string>

#include <opencv2/core.hpp>

namespace auhead::media {

class PngSequenceWriter {
 public:
  // Creates missing parent folders (an output error if it cannot). An existing target folder is
  // replaced on finish() only if it is empty or holds nothing but frame_NNNNNN.png files (an earlier
  // sequence); a folder with other files, or a file at the target, is an output error here.
  explicit PngSequenceWriter(const std::filesystem::path& folder);
  ~PngSequenceWriter();  // without finish(): removes the temporary folder and its frames
  PngSequenceWriter(const PngSequenceWriter&) = delete;
  PngSequenceWriter& operator=(const PngSequenceWriter&) = delete;

  // Writes the next frame, CV_8UC3 in RGB order.
  void write(const cv::Mat& rgb);
  // Renames the temporary folder onto the target.
  void finish();

  int frames_written() const { return frames_; }
  const std::filesystem::path& path() const { return target_; }
  static std::string frame_name(int index);  // "frame_000042.png"

 private:
  std::filesystem::path target_;
  std::filesystem::path temp_;
  int frames_ = 0;
  bool finished_ = false;
  int slot_ = -1;  // where a signal finds temp_ (core/atomic_file.h)
};

}  // namespace auhead::media
