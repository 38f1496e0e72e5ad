// One face mesh → AU intensities: bounded least squares of the mesh's displacement from a neutral face
// against the AU displacement basis (data/au_basis.json), optionally with the identity modes under
// their prior (one photo, no neutral of its own). AUs the mesh barely sees are held near zero by an L1
// and an L2 penalty instead of wandering.
#pragma once
#include <array>
#include <vector>

#include <opencv2/core.hpp>

#include "au_estimation/identity_prior.h"
#include "auhead/au_sequence.h"
#include "geometry/au_basis.h"

namespace auhead::au_estimation {

struct AuFitSettings {
  float noise_cm = 0.08f;    // landmark noise: the scale residuals are measured in
  float z_weight = 0.3f;     // depth counts this much (FaceMesh's z is its least reliable output)
  float oval_weight = 0.5f;  // the face outline (it slides along the silhouette) counts this much
  float sparsity = 2.f;      // L1 penalty per AU (intensities are ≥ 0, so it is linear)
  float ridge = 2.f;         // L2 penalty per AU
  std::array<float, kNumAus> sparsity_scale = filled(1.f);  // per-AU factor on the L1 penalty

  static std::array<float, kNumAus> filled(float v) {
    std::array<float, kNumAus> a;
    a.fill(v);
    return a;
  }
};

struct AuFit {
  AuFrame aus{};
  std::vector<float> identity;       // per identity mode (empty when fitted without them)
  double residual_cm = 0;            // weighted RMS per landmark of what the fit leaves unexplained
  std::vector<cv::Point3f> neutral;  // the fitted neutral face: rest + identity modes (canonical cm)
};

class AuFitter {
 public:
  // `rest`: the neutral face (canonical cm); `fields`/`basis`: the AU fields computed on it;
  // `identity`: modes fitted jointly under their prior (none: the neutral is taken as known).
  AuFitter(std::vector<cv::Point3f> rest, const geometry::AuFields& fields, const geometry::AuBasis& basis,
           std::vector<IdentityMode> identity = {}, AuFitSettings settings = {});

  // `aligned`: a face's 468 landmarks in the canonical frame (face::FaceAlignment::aligned).
  // Intensities are fitted in [0, upper] (upper > 1: how far beyond the basis' apex).
  AuFit fit(const std::vector<cv::Point3f>& aligned, float upper = 1.f) const;

  // The AU displacement (canonical cm, couplings included, constraints not) of `aus`.
  std::vector<cv::Point3f> displacement(const AuFrame& aus) const;

  const std::vector<cv::Point3f>& rest() const { return rest_; }

 private:
  int vars() const { return kNumAus + int(identity_.size()); }
  void normal_row(const std::vector<std::vector<float>>& cols, int j, std::vector<double>& h) const;

  std::vector<cv::Point3f> rest_;
  std::vector<IdentityMode> identity_;
  AuFitSettings settings_;
  std::vector<float> weight_;                  // per coordinate (468 × 3), 1 / noise² included
  std::vector<std::vector<float>> columns_;    // per variable, 1404 coordinates (unweighted)
  struct Coupling {
    int from, to;
    float gain;
    std::vector<float> field;  // 1404
  };
  std::vector<Coupling> couplings_;
  struct Combination {
    int a, b;
    std::vector<float> field;  // 1404, gain included
  };
  std::vector<Combination> combinations_;
  std::vector<double> base_h_;  // normal matrix of the uncoupled columns, vars × vars
};

}  // namespace auhead::au_estimation
