// AU intensities → the portrait's face mesh moved by them (DESIGN.md §5.1): landmarks go to the
// canonical frame, receive the per-AU displacement basis (data/au_basis.json) with couplings, and
// return to the portrait's pose. All AUs at 0 give back the portrait's own landmarks exactly.
#pragma once
#include <opencv2/core/types.hpp>
#include <memory>
#include <vector>

#include "auhead/au_sequence.h"
#include "face/face_analyzer.h"

namespace auhead::geometry {

class AuDeformer {
 public:
  // `face` is the portrait's analysis (468 landmarks in image pixels and its alignment).
  explicit AuDeformer(const face::FaceResult& face);
  // 468 landmarks in the portrait's image pixels (z as in face::FaceResult) for one AU frame.
  std::vector<cv::Point3f> deform(const AuFrame& aus) const;

 private:
  struct Impl;
  std::shared_ptr<const Impl> impl_;
};

}  // namespace auhead::geometry
