// Piecewise-affine image warp as one dense inverse map: every triangle of the mesh is rasterised at
// its target position and each covered pixel gets the source position the triangle's affine map
// sends it to; cv::remap then samples the portrait once. Neighbouring triangles share vertices, so
// the map is continuous across edges: no seams.
#pragma once
#include <array>
#include <vector>

#include <opencv2/core.hpp>

namespace auhead::render::warp {

class MeshWarper {
 public:
  MeshWarper(cv::Size size, std::vector<std::array<int, 3>> triangles);

  // Builds the map from target points to source points (same indexing, frame pixel coordinates).
  // Pixels no triangle covers keep the identity.
  void build_map(const std::vector<cv::Point2f>& source, const std::vector<cv::Point2f>& target);
  // Samples `source_image` (size of the map) through the last map (bilinear, edge replicated).
  void apply(const cv::Mat& source_image, cv::Mat& out) const;

  const cv::Mat& map() const { return map_; }  // CV_32FC2: target pixel → source position
  cv::Mat& map() { return map_; }              // for changes between build_map and apply

 private:
  cv::Size size_;
  std::vector<std::array<int, 3>> triangles_;
  cv::Mat map_;
  cv::Mat identity_;
};

}  // namespace auhead::render::warp
