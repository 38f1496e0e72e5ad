// The background stays where it is (issue #14): the warp's inverse map is blended back to the
// identity outside the person, so head motion and expressions move the face, hair and shoulders but
// not the wall behind them. A pixel keeps the identity only where it shows background both in the
// portrait and at the position the warp fetches it from: where the moved head covers background the
// warp is kept, and where the head uncovers some the warp fetches background, so no ghost of the
// head stays behind.
#pragma once
#include <vector>

#include <opencv2/core.hpp>

namespace auhead::render::warp {

class BackgroundHold {
 public:
  BackgroundHold() = default;  // holds nothing
  // `framed_rgb`: the framed portrait (size × size); `face`: its 468 landmarks in frame pixels. The
  // person is MediaPipe's selfie segmentation united with the face outline grown by 15 % (the face
  // always moves, whatever the segmenter says). Nothing is held when the segmenter finds less than
  // half of the face inside its silhouette: a sign that it failed on this picture.
  BackgroundHold(const cv::Mat& framed_rgb, const std::vector<cv::Point2f>& face);

  // `map`: the warp's inverse map (CV_32FC2, target pixel → source position), changed in place.
  // Background (person weight ≤ 0.15 at both ends of the map) keeps the identity exactly; the
  // silhouette's soft edge blends.
  void apply(cv::Mat& map) const;

  bool active() const { return !person_.empty(); }
  const cv::Mat& person() const { return person_; }  // CV_32F 0..1 per frame pixel; empty: inactive

 private:
  cv::Mat person_;     // how much each pixel belongs to the person
  cv::Mat clearance_;  // CV_32F: distance (px) from each pixel to the nearest one of weight > 0.15
  std::vector<uint8_t> row_has_background_;
};

// How far the background next to the person moves (issue #14's figure): the mean and the largest
// displacement (px) of the inverse map `map` over the pixels outside the person's outline (weight
// < 0.5 in `person`) and within `band` px of it. Zero pixels in the band give zeros.
struct BackgroundMotion {
  double mean_px = 0, max_px = 0;
  long pixels = 0;
};
BackgroundMotion background_motion(const cv::Mat& map, const cv::Mat& person, int band = 20);

}  // namespace auhead::render::warp
