// The AU region maps of docs/design.md §7.1 (ours): one float channel per AU group (data/au_basis.json
// "groups": brows, eyes, nose, cheeks, lip_corners, upper_lip, lower_lip, jaw), each a soft mask
// over the landmarks the group's AUs move, scaled by their intensity, in [0, 1].
#pragma once
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "auhead/au_sequence.h"

namespace auhead::geometry {

class AuDeformer;

class AuRegionMapper {
 public:
  // Footprints come from the deformer's fields: a vertex belongs to an AU's region with weight
  // |field| / max |field| (below 0.2: not at all). sigma_cm: blob radius in canonical cm.
  explicit AuRegionMapper(const AuDeformer& deformer, float sigma_cm = 0.9f);

  int channels() const { return int(names_.size()); }
  const std::vector<std::string>& names() const { return names_; }

  // One CV_32FC1 mask per group at `size`: max over the group's landmarks of
  // intensity · footprint · Gaussian(distance / sigma). `landmarks` are the (deformed) portrait
  // landmarks, `to_output` maps portrait pixels to output pixels.
  std::vector<cv::Mat> render(const AuFrame& aus, const std::vector<cv::Point3f>& landmarks,
                              const cv::Matx23d& to_output, cv::Size size) const;

  // Colour-coded RGB view of the maps (each group its colour, added and clipped).
  static cv::Mat colorize(const std::vector<cv::Mat>& maps);
  static cv::Vec3b group_colour(int group);  // RGB

 private:
  std::vector<std::string> names_;
  std::vector<std::vector<int>> group_aus_;
  std::vector<std::vector<float>> footprint_;  // per AU, per vertex
  float sigma_px_ = 1;                          // in portrait pixels
};

}  // namespace auhead::geometry
