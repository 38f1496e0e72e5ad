// PROVISIONAL stand-in for branch geometry's AuDeformer, so that the warp renderer links and can be looked at.
// On merging geometry, take its au_deformer.cpp and drop this one.
#include <cmath>
#include <set>
#include "geometry/au_deformer.h"
#include "render/warp/face_regions.h"

namespace auhead::geometry {
struct AuDeformer::Impl { std::vector<cv::Point3f> lm; };
AuDeformer::AuDeformer(const face::FaceResult& face) {
  auto p = std::make_shared<Impl>();
  p->lm = face.landmarks;
  impl_ = p;
}
std::vector<cv::Point3f> AuDeformer::deform(const AuFrame& a) const {
  using namespace render::warp;
  std::vector<cv::Point3f> out = impl_->lm;
  const auto& L = impl_->lm;
  auto P = [&](int i) { return cv::Point2f(L[i].x, L[i].y); };
  cv::Point2f ex = P(263) - P(33);
  float cm = float(cv::norm(ex)) / 9.f;
  cv::Point2f right = ex / float(cv::norm(ex)), down(-right.y, right.x);
  cv::Point2f mouth = (P(13) + P(14)) * 0.5f;
  std::set<int> lower(kInnerLips.lower.begin() + 1, kInnerLips.lower.end() - 1);
  lower.insert(kOuterLips.lower.begin() + 1, kOuterLips.lower.end() - 1);
  for (int i = 0; i < 468; ++i) {
    cv::Point2f p = P(i), d = p - mouth;
    float along = d.dot(down) / cm, side = d.dot(right) / cm;
    cv::Point2f m(0, 0);
    // jaw
    float wj = lower.count(i) ? 1.f : std::clamp((along - 0.1f) / 0.8f, 0.f, 1.f) * std::exp(-side * side / 30.f);
    m += down * (1.6f * cm * a[8] * wj);
    // smile corners
    for (int s = 0; s < 2; ++s) {
      cv::Point2f c = s ? (P(291) + P(308)) * 0.5f : (P(61) + P(78)) * 0.5f;
      float r2 = float((p - c).dot(p - c)) / (cm * cm);
      float w = std::exp(-r2 / 1.2f);
      float au = s ? a[11] : a[12];
      m += (right * (s ? 0.3f : -0.3f) - down * 0.5f) * (cm * au * w);
      float dep = a[27];
      m += down * (0.35f * cm * dep * w);
    }
    out[i].x += m.x, out[i].y += m.y;
  }
  auto close = [&](const auto& eye, float au) {
    for (std::size_t k = 1; k + 1 < eye.upper.size(); ++k) {
      cv::Point2f u = P(eye.upper[k]), l = P(eye.lower[k]);
      cv::Point2f m = (l - u) * (0.95f * au);
      out[eye.upper[k]].x += m.x, out[eye.upper[k]].y += m.y;
    }
  };
  close(kLeftEye, a[0]);
  close(kRightEye, a[1]);
  for (int i : {70, 63, 105, 66, 107, 55, 65, 52, 53, 46}) out[i].y += (0.3f * a[5] - 0.4f * a[7]) * cm;
  for (int i : {300, 293, 334, 296, 336, 285, 295, 282, 283, 276}) out[i].y += (0.3f * a[4] - 0.4f * a[6]) * cm;
  for (std::size_t k = 1; k + 1 < kLeftEye.upper.size(); ++k) out[kLeftEye.upper[k]].y -= 0.15f * cm * a[2];
  for (std::size_t k = 1; k + 1 < kRightEye.upper.size(); ++k) out[kRightEye.upper[k]].y -= 0.15f * cm * a[3];
  for (int i : {61, 78}) out[i].x -= 0.3f * cm * a[14];
  for (int i : {291, 308}) out[i].x += 0.3f * cm * a[13];
  return out;
}
}  // namespace auhead::geometry
