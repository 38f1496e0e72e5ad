// AU intensities → the portrait's face mesh moved by them (docs/design.md §7.1): landmarks go to the
// canonical frame, receive the per-AU displacement basis (data/au_basis.json) with couplings, and
// return to the portrait's pose. All AUs at 0 give back the portrait's own landmarks exactly.
#pragma once
#include <opencv2/core/types.hpp>
#include <memory>
#include <vector>

#include "auhead/au_sequence.h"
#include "face/face_analyzer.h"

namespace auhead::geometry {

struct AuBasis;
struct AuFields;

class AuDeformer {
 public:
  // `face` is the portrait's analysis (468 landmarks in image pixels and its alignment). This form
  // uses data/au_basis.json and the canonical face in face::default_face_models_dir() (both loaded
  // once per process); unavailable errors when they are missing.
  explicit AuDeformer(const face::FaceResult& face);
  AuDeformer(const face::FaceResult& face, const face::CanonicalFace& canonical, const AuBasis& basis);
  // With another rest face: `neutral` (canonical cm, 468 points) is what zero AUs show, e.g. the
  // portrait with its own expression removed (au_estimation::neutralised). The AUs act on it, and
  // deform() still maps the result onto the portrait's pose, relative to its actual landmarks.
  AuDeformer(const face::FaceResult& face, std::vector<cv::Point3f> neutral);
  AuDeformer(const face::FaceResult& face, std::vector<cv::Point3f> neutral, const face::CanonicalFace& canonical,
             const AuBasis& basis);

  // 468 landmarks in the portrait's image pixels (z as in face::FaceResult) for one AU frame.
  std::vector<cv::Point3f> deform(const AuFrame& aus) const;
  // The same in the canonical frame (cm; x right = subject's left, y up, z toward the viewer):
  // the rest face (FaceAlignment::aligned, or the neutral given) plus the AU displacements,
  // constraints applied.
  std::vector<cv::Point3f> deform_canonical(const AuFrame& aus) const;
  // Canonical-frame displacements → image-pixel displacements (the portrait's pose and scale).
  cv::Point3f canonical_delta_to_image(const cv::Point3f& d) const;

  const face::FaceResult& face() const;
  const std::vector<cv::Point3f>& rest() const;  // what zero AUs show (canonical cm)
  const AuBasis& basis() const;
  const AuFields& fields() const;  // per AU, 468 displacements (canonical cm) at intensity 1

 private:
  struct Impl;
  std::shared_ptr<const Impl> impl_;
};

}  // namespace auhead::geometry
