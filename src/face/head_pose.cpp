// Umeyama similarity fit and Euler decomposition R = Rz(roll)·Ry(yaw)·Rx(pitch) in the canonical
// face's frame (x right, y up, z toward the viewer).
#include "face/head_pose.h"

#include <cmath>
#include <numbers>
#include <stdexcept>

namespace auhead::face {

namespace {
constexpr double kDeg = 180.0 / std::numbers::pi;
// Image axes ↔ canonical axes (flip y and z); its own inverse.
cv::Point3d flip(const cv::Point3d& p) { return {p.x, -p.y, -p.z}; }
const cv::Matx33d kFlip(1, 0, 0, 0, -1, 0, 0, 0, -1);
}  // namespace

cv::Point3d Similarity3::apply(const cv::Point3d& p) const {
  cv::Vec3d v = scale * (rotation * cv::Vec3d(p.x, p.y, p.z)) + translation;
  return {v[0], v[1], v[2]};
}

cv::Point3d Similarity3::invert(const cv::Point3d& p) const {
  cv::Vec3d v = rotation.t() * (cv::Vec3d(p.x, p.y, p.z) - translation) * (1.0 / scale);
  return {v[0], v[1], v[2]};
}

Similarity3 fit_similarity(const std::vector<cv::Point3d>& from, const std::vector<cv::Point3d>& to,
                           const std::vector<double>& weights) {
  if (from.size() != to.size() || from.size() != weights.size() || from.size() < 3)
    throw std::invalid_argument("fit_similarity: need ≥ 3 matching points and weights");
  double wsum = 0;
  cv::Vec3d mf(0, 0, 0), mt(0, 0, 0);
  for (size_t i = 0; i < from.size(); ++i) {
    wsum += weights[i];
    mf += weights[i] * cv::Vec3d(from[i].x, from[i].y, from[i].z);
    mt += weights[i] * cv::Vec3d(to[i].x, to[i].y, to[i].z);
  }
  if (!(wsum > 0)) throw std::invalid_argument("fit_similarity: weights sum to zero");
  mf *= 1.0 / wsum;
  mt *= 1.0 / wsum;
  cv::Matx33d cov = cv::Matx33d::zeros();
  double var = 0;
  for (size_t i = 0; i < from.size(); ++i) {
    cv::Vec3d a = cv::Vec3d(from[i].x, from[i].y, from[i].z) - mf;
    cv::Vec3d b = cv::Vec3d(to[i].x, to[i].y, to[i].z) - mt;
    double w = weights[i] / wsum;
    cov += w * (b * a.t());
    var += w * a.dot(a);
  }
  cv::Matx33d U, Vt;
  cv::Matx31d D;
  cv::SVD::compute(cov, D, U, Vt);
  double d = cv::determinant(U) * cv::determinant(Vt) < 0 ? -1 : 1;
  cv::Matx33d S(1, 0, 0, 0, 1, 0, 0, 0, d);
  Similarity3 s;
  s.rotation = U * S * Vt;
  s.scale = var > 0 ? (D(0) + D(1) + d * D(2)) / var : 1.0;
  s.translation = mt - s.scale * (s.rotation * mf);
  return s;
}

HeadPose pose_from_rotation(const cv::Matx33d& r_image) {
  cv::Matx33d R = kFlip * r_image * kFlip;  // the same rotation in canonical axes
  HeadPose p;
  double sy = std::clamp(-R(2, 0), -1.0, 1.0);
  p.yaw = std::asin(sy) * kDeg;
  p.pitch = -std::atan2(R(2, 1), R(2, 2)) * kDeg;  // Rx(+) tips the nose down: report chin-up as +
  p.roll = std::atan2(R(1, 0), R(0, 0)) * kDeg;
  return p;
}

FaceAlignment align_to_canonical(const std::vector<cv::Point3f>& lm, const CanonicalFace& cf) {
  if (lm.size() != cf.vertices.size()) throw std::invalid_argument("align_to_canonical: 468 landmarks needed");
  std::vector<cv::Point3d> from, to;
  std::vector<double> w;
  for (auto [id, weight] : cf.procrustes_weights) {
    from.push_back(flip(cv::Point3d(cf.vertices[id])));
    to.emplace_back(lm[id]);
    w.push_back(weight);
  }
  FaceAlignment a;
  a.canonical_to_image = fit_similarity(from, to, w);
  a.pose = pose_from_rotation(a.canonical_to_image.rotation);
  double err = 0, wsum = 0;
  for (size_t i = 0; i < from.size(); ++i) {
    cv::Point3d d = a.canonical_to_image.invert(to[i]) - from[i];
    err += w[i] * d.dot(d);
    wsum += w[i];
  }
  a.rms_cm = std::sqrt(err / wsum);
  a.aligned.reserve(lm.size());
  for (const auto& p : lm) {
    cv::Point3d c = flip(a.canonical_to_image.invert(cv::Point3d(p)));
    a.aligned.emplace_back(float(c.x), float(c.y), float(c.z));
  }
  return a;
}

}  // namespace auhead::face
