// Glasses stay rigid (issue #14): the warp would bend a frame of glasses with the brows and cheeks it
// lies on. When face::find_glasses finds one, the face is warped from the portrait with the frame
// painted out, and the frame is laid back on top, moved only by the head's rigid motion. Brows then
// move behind the frame, blinks and squints happen inside the lenses, and the frame keeps its shape.
#pragma once
#include <vector>

#include <opencv2/core.hpp>

namespace auhead::render::warp {

class GlassesHold {
 public:
  GlassesHold() = default;  // no glasses
  // `framed_rgb`: the framed portrait; `face`: its 468 landmarks (frame pixels).
  GlassesHold(const cv::Mat& framed_rgb, const std::vector<cv::Point2f>& face);

  bool active() const { return !mask_.empty(); }
  // The portrait with the frame painted out (what the face warp reads); the portrait when inactive.
  const cv::Mat& bare() const { return bare_; }
  const cv::Mat& mask() const { return mask_; }  // CV_32F 0..1 frame pixels (frame coordinates)

  // The landmarks whose rigid motion moves the frame (the eyes' corners, the nose bridge, the temples).
  static const std::vector<int>& anchor_landmarks();
  // Lays the frame onto `frame`, moved by `motion` (2×3, portrait → output pixels; identity without
  // head motion).
  void compose(cv::Mat& frame, const cv::Matx23f& motion) const;

 private:
  cv::Mat bare_;
  cv::Mat mask_;
  cv::Mat layer_;  // CV_8UC4: the framed portrait with the frame's weight as alpha
  cv::Rect box_;   // where the weight is non-zero
};

// The least-squares affine map taking `from` to `to` (the head's rigid motion over a few landmarks).
cv::Matx23f fit_affine(const std::vector<cv::Point2f>& from, const std::vector<cv::Point2f>& to);

}  // namespace auhead::render::warp
