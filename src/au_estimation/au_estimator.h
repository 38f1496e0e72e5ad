// AUs read from face meshes (the inverse of geometry::AuDeformer), for one photo or a whole video.
//
// Identity and expression are confounded in a single mesh: high brows may be raised or born high.
// - One photo: the neutral is the canonical face plus identity modes (identity_prior.h) fitted
//   jointly with the AUs under their prior, so a neutral face reads near zero and only movements that
//   no build of face explains (raised lip corners, a dropped jaw, closed eyes) read as AUs.
// - A video: every frame is first read as a photo; the subject's own neutral is the per-landmark
//   median of the least expressive frames (the lowest fifth by total AU, as the photo fit reads
//   them); then every frame is fitted against that neutral alone. A bilateral filter in time
//   (which leaves jumps such as blinks intact) smooths the result.
#pragma once
#include <optional>
#include <vector>

#include <opencv2/core.hpp>

#include "au_estimation/au_fit.h"
#include "auhead/au_sequence.h"
#include "face/canonical_face.h"
#include "face/head_pose.h"

namespace auhead::au_estimation {

struct FaceAuEstimate {
  AuFrame aus{};
  face::HeadPose pose;
  double residual_cm = 0;
  std::vector<cv::Point3f> neutral;  // the neutral face the AUs are measured from (canonical cm)
};

struct SequenceEstimate {
  std::vector<AuFrame> aus;                 // one per input frame (missing frames interpolated)
  std::vector<face::HeadPose> poses;        // likewise
  std::vector<double> residual_cm;          // NaN for missing frames
  std::vector<cv::Point3f> neutral;         // the subject's neutral (canonical cm)
  std::vector<int> neutral_frames;          // the frames it was taken from
  int missing = 0;                          // frames without a face
};

// One frame of a sequence: its canonical landmarks and pose, or nothing when no face was found.
struct MeshFrame {
  std::vector<cv::Point3f> aligned;  // empty: no face
  face::HeadPose pose;
};

class AuEstimator {
 public:
  // The standard canonical face (face models folder) and data/au_basis.json.
  AuEstimator();
  AuEstimator(const face::CanonicalFace& canonical, const geometry::AuBasis& basis);
  // One on the standard models, built on first use, for the whole process (its methods are const).
  static const AuEstimator& standard();

  // One photo (its FaceAlignment::aligned landmarks).
  FaceAuEstimate estimate_photo(const std::vector<cv::Point3f>& aligned) const;
  // The same with intensities up to 2: how far beyond the basis' apex a photo's expression goes
  // (a broad smile moves the corners further than lip_corner_raise 1). What neutralisation takes off.
  FaceAuEstimate estimate_photo_extended(const std::vector<cv::Point3f>& aligned) const;
  // A sequence at `fps`; at least one frame must have a face (else std::invalid_argument).
  SequenceEstimate estimate_sequence(const std::vector<MeshFrame>& frames, double fps) const;
  // The same against a neutral known beforehand (canonical cm, 468 points), e.g. the neutralised
  // portrait a video was rendered from: a video that holds one emotion throughout has no quiet frames
  // to take its neutral from. That neutral comes from another image, so the AUs are fitted at the
  // photo fit's sparsity prices rather than the video fit's. neutral_frames is empty.
  SequenceEstimate estimate_sequence(const std::vector<MeshFrame>& frames, double fps,
                                     const std::vector<cv::Point3f>& neutral) const;

  const face::CanonicalFace& canonical() const { return canonical_; }
  const geometry::AuBasis& basis() const { return basis_; }
  // The displacement (canonical cm) that `aus` make in the photo fit (couplings included).
  std::vector<cv::Point3f> photo_displacement(const AuFrame& aus) const;
  // The photo prior's mean face (canonical face + FaceMesh's upper face on photos).
  const std::vector<cv::Point3f>& photo_rest() const { return photo_rest_; }

 private:
  face::CanonicalFace canonical_;
  geometry::AuBasis basis_;
  std::vector<IdentityMode> identity_;
  std::vector<cv::Point3f> photo_rest_;
  std::optional<AuFitter> photo_fitter_;

  SequenceEstimate fit_sequence(const std::vector<MeshFrame>& frames, double fps,
                                const std::vector<cv::Point3f>& neutral, const AuFitSettings& settings) const;
};

// Edge-preserving smoothing in time of every AU channel: a bilateral filter (Gaussian in time with
// sigma `time_sigma_s`, Gaussian in value with sigma `value_sigma`), so noise is averaged while a
// blink's 100–300 ms closure keeps its depth and edges.
std::vector<AuFrame> smooth_in_time(const std::vector<AuFrame>& frames, double fps, double time_sigma_s = 0.04,
                                    double value_sigma = 0.12);

// Portrait neutralisation: the photo's own AUs removed from its canonical landmarks (the
// displacement of estimate.aus taken off `aligned`). Used as the rest face of the renderers.
// A photo with parted lips (an open smile, speech) gets lips that meet: the jaw closes by its own
// field, then the inner lip lines meet halfway (close_lips), so the portrait's teeth are hidden.
std::vector<cv::Point3f> neutralised(const std::vector<cv::Point3f>& aligned, const FaceAuEstimate& estimate,
                                     const AuEstimator& estimator);
// Closes the lips of a canonical-frame face in place (nothing when they already meet); lips that
// overlap by more than 0.5 mm are brought back to meet.
void close_lips(std::vector<cv::Point3f>& face, const AuEstimator& estimator);
// The same with the jaw-drop field given (468 displacements at intensity 1) and the basis' lip pairs.
void close_lips(std::vector<cv::Point3f>& face, const geometry::AuConstraints& constraints,
                const std::vector<cv::Vec3f>& jaw);

}  // namespace auhead::au_estimation
