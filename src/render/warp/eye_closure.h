// Closed eyes. The warp already covers a closing eye with the upper lid's skin (the eye opening is
// a strip of triangles that collapses when the lids meet, so nothing is left uncovered); this adds
// the lash line where the lids meet, darkening with the closure, so a shut eye reads as shut.
#pragma once
#include <vector>

#include <opencv2/core.hpp>

namespace auhead::render::warp {

class EyeClosure {
 public:
  // `framed`, `face`: the portrait in the output frame and its 468 landmarks (frame pixels).
  EyeClosure(const cv::Mat& framed, const std::vector<cv::Point2f>& face);
  // Draws into `frame` for the deformed landmarks `face`.
  void compose(cv::Mat& frame, const std::vector<cv::Point2f>& face) const;

  // Mean distance between the paired lid points of each eye (right, left), pixels.
  static std::pair<float, float> openings(const std::vector<cv::Point2f>& face);

 private:
  float open_[2] = {0, 0};
  cv::Vec3f lash_;
};

}  // namespace auhead::render::warp
