#include "render/warp/head_motion.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace auhead::render::warp {

namespace {

// Zero-phase Gaussian smoothing of a signal (edges replicated).
std::vector<double> smooth(const std::vector<double>& x, double sigma) {
  if (sigma <= 0 || x.empty()) return x;
  int r = int(std::ceil(3 * sigma));
  std::vector<double> k(2 * r + 1);
  double sum = 0;
  for (int i = -r; i <= r; ++i) sum += k[i + r] = std::exp(-0.5 * i * i / (sigma * sigma));
  std::vector<double> y(x.size());
  int n = int(x.size());
  for (int t = 0; t < n; ++t) {
    double acc = 0;
    for (int i = -r; i <= r; ++i) acc += k[i + r] * x[std::clamp(t + i, 0, n - 1)];
    y[t] = acc / sum;
  }
  return y;
}

// Sum of three sinusoids with seeded frequencies (0.07–0.45 Hz) and phases, unit amplitude.
struct SlowNoise {
  double f[3], ph[3], w[3];
  SlowNoise(std::mt19937_64& rng) {
    std::uniform_real_distribution<double> fd(0.07, 0.45), pd(0, 2 * CV_PI), wd(0.5, 1.0);
    double s = 0;
    for (int i = 0; i < 3; ++i) {
      f[i] = fd(rng);
      ph[i] = pd(rng);
      s += w[i] = wd(rng);
    }
    for (double& v : w) v /= s;
  }
  double operator()(double t) const {
    double v = 0;
    for (int i = 0; i < 3; ++i) v += w[i] * std::sin(2 * CV_PI * f[i] * t + ph[i]);
    return v * 1.6;  // roughly unit peak
  }
};

}  // namespace

std::vector<HeadMotionPose> head_motion(const AuSequence& aus, uint64_t seed, const HeadMotionOptions& o) {
  const int n = int(aus.frames.size());
  std::vector<HeadMotionPose> poses(n);
  if (n == 0) return poses;
  if (aus.head_pose.size() == size_t(n)) {
    // A pose track read from a video (AuSequence::head_pose, face::HeadPose's signs): yaw and pitch
    // turn the other way round in this transform's axes.
    for (int t = 0; t < n; ++t)
      poses[t] = {-double(aus.head_pose[t][0]), -double(aus.head_pose[t][1]), double(aus.head_pose[t][2]), {0, 0}};
    return poses;
  }
  double fps = aus.fps > 0 ? aus.fps : 25.0;
  std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ull + 0x51ED);
  SlowNoise yaw(rng), pitch(rng), roll(rng), sx(rng), sy(rng);

  // Speech activity from the mouth: jaw drop and lips part (0..1).
  std::vector<double> act(n);
  for (int t = 0; t < n; ++t) act[t] = std::clamp(double(aus.frames[t][8]) + 0.5 * aus.frames[t][29], 0.0, 1.0);
  std::vector<double> fast = smooth(act, 0.12 * fps), slow = smooth(act, 0.8 * fps);
  // Emphasis: activity rising above its slow average → a nod.
  std::vector<double> nod(n), energy(n);
  for (int t = 0; t < n; ++t) {
    nod[t] = std::clamp((fast[t] - slow[t]) * 3.0, 0.0, 1.0);
    energy[t] = std::clamp(slow[t] * 2.5, 0.0, 1.0);
  }
  nod = smooth(nod, 0.1 * fps);

  std::vector<double> y(n), p(n), r(n), x0(n), y0(n);
  for (int t = 0; t < n; ++t) {
    double s = o.start_time + t / fps;
    double liveliness = 0.55 + 0.45 * energy[t];  // more motion while speaking
    y[t] = o.yaw_deg * liveliness * yaw(s);
    p[t] = o.pitch_deg * liveliness * pitch(s) + o.nod_deg * nod[t];
    r[t] = o.roll_deg * liveliness * roll(s);
    x0[t] = o.shift * sx(s);
    y0[t] = o.shift * sy(s);
  }
  double sigma = 0.06 * fps;  // removes any frame-to-frame jitter
  y = smooth(y, sigma), p = smooth(p, sigma), r = smooth(r, sigma), x0 = smooth(x0, sigma), y0 = smooth(y0, sigma);
  for (int t = 0; t < n; ++t) poses[t] = {y[t], p[t], r[t], {x0[t], y0[t]}};
  return poses;
}

HeadTransform::HeadTransform(const HeadMotionPose& pose, const cv::Point3f& pivot, float face_width)
    : pivot_(pivot), shift_(float(pose.shift.x * face_width), float(pose.shift.y * face_width)) {
  const double d = CV_PI / 180;
  // Image axes: x right, y down, z away. Yaw about y, pitch about x (chin down: +), roll about z.
  double cy = std::cos(pose.yaw * d), sy = std::sin(pose.yaw * d);
  double cp = std::cos(pose.pitch * d), sp = std::sin(pose.pitch * d);
  double cr = std::cos(pose.roll * d), sr = std::sin(pose.roll * d);
  cv::Matx33d ry(cy, 0, sy, 0, 1, 0, -sy, 0, cy);
  cv::Matx33d rx(1, 0, 0, 0, cp, -sp, 0, sp, cp);  // the face front goes down for pitch > 0
  cv::Matx33d rz(cr, sr, 0, -sr, cr, 0, 0, 0, 1);
  r_ = cv::Matx33f(rz * rx * ry);
}

cv::Point2f HeadTransform::apply(const cv::Point3f& p) const {
  cv::Vec3f q = r_ * cv::Vec3f(p.x - pivot_.x, p.y - pivot_.y, p.z - pivot_.z);
  return {q[0] + pivot_.x + shift_.x, q[1] + pivot_.y + shift_.y};
}

}  // namespace auhead::render::warp
