// What shows where the lips part: a dark oral cavity tinted by the portrait's lip colour, the upper
// teeth under the upper lip once the mouth opens, a hint of lower teeth and tongue when it opens
// wide; composited inside the warped inner-lip line with a feathered edge.
#pragma once
#include <vector>

#include <opencv2/core.hpp>

namespace auhead::render::warp {

class MouthInterior {
 public:
  // `framed`: the portrait in the output frame (RGB); `face`: its 468 landmarks there (frame pixel
  // coordinates). Samples the colours and measures how far the portrait's own lips are apart.
  MouthInterior(const cv::Mat& framed, const std::vector<cv::Point2f>& face);

  // Paints the interior into `frame` (RGB CV_8UC3) inside the inner lips of `face` (the frame's
  // deformed landmarks), to the extent that they are further apart than in the portrait.
  void compose(cv::Mat& frame, const std::vector<cv::Point2f>& face) const;

  // Mean distance between the paired inner-lip points (pixels).
  static float lip_gap(const std::vector<cv::Point2f>& face);

 private:
  float source_gap_ = 0;
  cv::Vec3f cavity_, teeth_, tongue_;
};

}  // namespace auhead::render::warp
