// Video input through FFmpeg (libavformat/libavcodec/libswscale): the frames of a file's best video
// stream as 8-bit RGB cv::Mat, with the stream's frame rate; for evaluating generated videos.
#pragma once
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace auhead::media {

struct VideoInfo {
  int width = 0;
  int height = 0;
  double fps = 0;              // average frame rate (r_frame_rate when the container has no average)
  double duration_seconds = 0; // 0 when the container does not say
  std::string codec;           // FFmpeg codec name, e.g. "h264"
};

// Reads frames one at a time in presentation order. Errors (auhead::Error, bad_input, "<file>:
// <problem>"): "no such file", "is a folder, not a file", "cannot read: ...", "not a video file or
// corrupt: ...", "has no video stream", "video codec X is not supported". A damaged tail ends the
// stream at the damage.
class VideoReader {
 public:
  explicit VideoReader(const std::filesystem::path& file);
  ~VideoReader();
  VideoReader(const VideoReader&) = delete;
  VideoReader& operator=(const VideoReader&) = delete;

  const VideoInfo& info() const;
  // The next frame as CV_8UC3 RGB (a new buffer each call); false at the end of the stream.
  bool read(cv::Mat& rgb);
  // After read() returned false: whether the stream ended at damage (a corrupt packet or frame, a
  // read error) instead of its end. Callers that must not accept a shorter video check it.
  bool damaged() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct DecodedVideo {
  VideoInfo info;
  std::vector<cv::Mat> frames;  // CV_8UC3 RGB
};

// All frames (at most max_frames when > 0); a file with no decodable frame is an input error
// "contains no video frames".
DecodedVideo read_video(const std::filesystem::path& file, int max_frames = 0);

}  // namespace auhead::media
