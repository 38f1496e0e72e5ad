#include "eval/au_measure.h"

#include <algorithm>
#include <cmath>

#include "geometry/au_deformer.h"

namespace auhead::eval {

namespace {
constexpr int kBrowLeft[] = {336, 296, 334, 293, 300};
constexpr int kBrowRight[] = {107, 66, 105, 63, 70};
constexpr int kNoseTip = 1;

double mean_y(const std::vector<cv::Point3f>& p, const int* idx, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i) s += p[idx[i]].y;
  return s / n;
}
}  // namespace

const std::vector<int>& measured_aus() {
  static const std::vector<int> aus = {0, 1, 6, 7, 8, 11, 12};
  return aus;
}

AuFeatures au_features(const std::vector<cv::Point3f>& p) {
  AuFeatures f{};
  if (p.size() < 468) return f;
  const double nose = p[kNoseTip].y;
  f[0] = p[386].y - p[374].y;
  f[1] = p[159].y - p[145].y;
  f[6] = mean_y(p, kBrowLeft, 5) - nose;
  f[7] = mean_y(p, kBrowRight, 5) - nose;
  f[8] = p[13].y - p[14].y;
  f[11] = p[291].y - nose;
  f[12] = p[61].y - nose;
  return f;
}

double AuMeasurer::mouth_opening(const std::vector<cv::Point3f>& p) {
  return p.size() < 468 ? std::nan("") : std::max(0.0, double(p[13].y - p[14].y));
}

AuMeasurer::AuMeasurer(const AuFeatures& neutral, const AuFeatures& at_one) : neutral_(neutral), at_one_(at_one) {}

AuMeasurer::AuMeasurer(const face::FaceResult& reference) {
  geometry::AuDeformer deformer(reference);
  AuFrame zero{};
  // The deformer's rest pose is the reference's own aligned landmarks.
  neutral_ = au_features(deformer.deform_canonical(zero));
  for (int au : measured_aus()) {
    AuFrame one{};
    one[au] = 1.f;
    at_one_[au] = au_features(deformer.deform_canonical(one))[au];
  }
}

AuFrame AuMeasurer::measure_features(const AuFeatures& f) const {
  AuFrame a{};
  for (int au : measured_aus()) {
    const double span = at_one_[au] - neutral_[au];
    if (std::abs(span) < 1e-4) continue;  // the basis does not move this feature: unmeasurable
    a[au] = float(std::clamp((f[au] - neutral_[au]) / span, 0.0, 1.0));
  }
  return a;
}

AuFrame AuMeasurer::measure(const std::vector<cv::Point3f>& aligned) const {
  return measure_features(au_features(aligned));
}

}  // namespace auhead::eval
