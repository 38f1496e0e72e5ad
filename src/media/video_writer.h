// H.264 video output (libx264 through libavcodec, yuv420p, mp4) from RGB frames, with optional
// speech muxed as AAC and fitted to the video's length. Output appears only when finish() succeeds.
#pragma once
#include <filesystem>
#include <memory>
#include <string>

#include <opencv2/core.hpp>

namespace auhead::media {

// Frames per second as a fraction: {25, 1}, {30000, 1001} (29.97).
struct FrameRate {
  int num = 25;
  int den = 1;
  double value() const { return static_cast<double>(num) / den; }
  // 25 → 25/1, 29.97 → 30000/1001 (likewise 23.976, 59.94), anything else to 1/1000 fps.
  static FrameRate from_fps(double fps);
};

struct VideoWriterOptions {
  int crf = 18;                    // libx264 constant rate factor, 0 (lossless) to 51
  std::string preset = "veryfast"; // libx264 preset: ultrafast ... placebo
  int threads = 0;                 // encoder threads; 0 lets the encoder choose
  int audio_bitrate = 128000;      // AAC bits per second
};

// Writes an H.264 video in the container named by the file's extension (.mp4, also .mov, .mkv).
//
// - Sizes must be even (yuv420p halves the chroma planes): an odd width or height is rejected with
//   a usage error rather than silently padded or cropped; callers choose even sizes upstream.
// - Audio (optional): the file is decoded at its own rate (moved to the nearest AAC rate, at most
//   48 kHz) and channel count (at most 2; more are mixed down), encoded as AAC, and cut or padded
//   with silence so that it lasts exactly as long as the video (to the sample; the containers'
//   priming and edit lists aside). Audio input errors are thrown by the constructor, before any frame.
// - The file is written under a temporary name beside the target (same extension) and renamed in
//   finish(); a writer destroyed without finish(), or after an error, leaves nothing behind.
class VideoWriter {
 public:
  VideoWriter(const std::filesystem::path& file, int width, int height, FrameRate fps,
              const std::filesystem::path& audio = {}, const VideoWriterOptions& options = {});
  ~VideoWriter();
  VideoWriter(const VideoWriter&) = delete;
  VideoWriter& operator=(const VideoWriter&) = delete;

  // Appends one frame: CV_8UC3, RGB order, exactly width x height (anything else: internal error).
  void write(const cv::Mat& rgb);
  // Flushes the encoders, completes the audio, writes the index and renames the file into place.
  // At least one frame must have been written.
  void finish();

  int frames_written() const;
  const std::filesystem::path& path() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace auhead::media
