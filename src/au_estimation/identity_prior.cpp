// Each mode moves a set of landmarks (a part of the face) and fades out around it with a Wendland
// kernel of the distance to the nearest member, so that the field is smooth. Translations are in cm,
// scales are relative (about the part's centre on each side). The spreads (sigma) are our estimates of
// adult variation relative to the face's size (the alignment already removed overall scale): e.g.
// brow height ±0.3 cm, mouth width ±10 %, eye aperture ±18 %.
#include "au_estimation/identity_prior.h"

#include <algorithm>
#include <cmath>
#include <initializer_list>

namespace auhead::au_estimation {
namespace {

constexpr int kPoints = 468;

float wendland(float r) {
  if (r >= 1) return 0;
  float a = 1 - r;
  return a * a * a * a * (4 * r + 1);
}

// Left (x > 0) and right members of a symmetric part; a midline part lists its points in `left` only.
struct Part {
  std::vector<int> left, right;
};

const Part kEyes{{263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466},
                 {33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246}};
const Part kBrows{{276, 283, 282, 295, 285, 300, 293, 334, 296, 336}, {46, 53, 52, 65, 55, 70, 63, 105, 66, 107}};
const Part kNoseTip{{1, 2, 4, 5, 19, 94, 97, 98, 326, 327, 2, 164, 141, 370, 354, 125, 44, 274}, {}};
const Part kNoseWings{{294, 278, 279, 358, 327, 326, 460, 305}, {64, 48, 49, 129, 98, 97, 240, 75}};
const Part kMouth{{61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 185, 40, 39, 37, 0, 267, 269, 270, 409,
                   78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308, 191, 80, 81, 82, 13, 312, 311, 310, 415},
                  {}};
const Part kUpperLip{{185, 40, 39, 37, 0, 267, 269, 270, 409}, {}};
const Part kLowerLip{{146, 91, 181, 84, 17, 314, 405, 321, 375}, {}};
const Part kChin{{152, 148, 176, 149, 377, 400, 378, 175, 199, 200, 171, 396}, {}};
const Part kJaw{{397, 365, 379, 288, 361, 435, 367, 364}, {172, 136, 150, 58, 132, 215, 138, 135}};
const Part kCheeks{{425, 411, 427, 280, 330, 266, 371}, {205, 187, 207, 50, 101, 36, 142}};

std::vector<int> members(const Part& p) {
  std::vector<int> m = p.left;
  m.insert(m.end(), p.right.begin(), p.right.end());
  return m;
}

// Weight of each vertex: 1 on the members, fading to 0 at `falloff` cm from the nearest one.
std::vector<float> part_weight(const std::vector<cv::Point3f>& v, const std::vector<int>& m, float falloff) {
  std::vector<float> w(kPoints, 0.f);
  for (int i = 0; i < kPoints; ++i) {
    float best = 0;
    for (int j : m) best = std::max(best, wendland(float(cv::norm(v[i] - v[j])) / falloff));
    w[i] = best;
  }
  return w;
}

cv::Point3f centre(const std::vector<cv::Point3f>& v, const std::vector<int>& m) {
  cv::Point3f c(0, 0, 0);
  for (int j : m) c += v[j];
  return c * (1.f / float(m.size()));
}

class Builder {
 public:
  explicit Builder(const std::vector<cv::Point3f>& v) : v_(v) {}

  // Translation by `dir` (cm per unit); `outward`: x follows the side (spacing).
  void translate(const std::string& name, const Part& part, cv::Vec3f dir, float falloff, float sigma,
                 bool outward = false) {
    auto w = part_weight(v_, members(part), falloff);
    IdentityMode m{name, std::vector<cv::Vec3f>(kPoints, cv::Vec3f(0, 0, 0)), sigma};
    for (int i = 0; i < kPoints; ++i) {
      cv::Vec3f d = dir;
      if (outward) d[0] *= v_[i].x >= 0 ? 1.f : -1.f;
      m.field[i] = w[i] * d;
    }
    modes_.push_back(std::move(m));
  }

  // Relative scale along `axes` about the part's centre on each side (one centre for a midline part).
  void scale(const std::string& name, const Part& part, cv::Vec3f axes, float falloff, float sigma) {
    auto w = part_weight(v_, members(part), falloff);
    cv::Point3f cl = centre(v_, part.left);
    cv::Point3f cr = part.right.empty() ? cl : centre(v_, part.right);
    IdentityMode m{name, std::vector<cv::Vec3f>(kPoints, cv::Vec3f(0, 0, 0)), sigma};
    for (int i = 0; i < kPoints; ++i) {
      cv::Point3f c = (part.right.empty() || v_[i].x >= 0) ? cl : cr;
      cv::Point3f d = v_[i] - c;
      m.field[i] = w[i] * cv::Vec3f(d.x * axes[0], d.y * axes[1], d.z * axes[2]);
    }
    modes_.push_back(std::move(m));
  }

  std::vector<IdentityMode> take() { return std::move(modes_); }

 private:
  const std::vector<cv::Point3f>& v_;
  std::vector<IdentityMode> modes_;
};

}  // namespace

std::vector<IdentityMode> identity_modes(const face::CanonicalFace& canonical) {
  const auto& v = canonical.vertices;
  Builder b(v);
  // Whole-face proportions (the alignment removes only one overall scale).
  Part all;
  for (int i = 0; i < kPoints; ++i) all.left.push_back(i);
  b.scale("face_width", all, {1, 0, 0}, 1.f, 0.05f);
  b.scale("face_length", all, {0, 1, 0}, 1.f, 0.05f);
  b.scale("face_depth", all, {0, 0, 1}, 1.f, 0.15f);
  // Eyes.
  b.translate("eye_spacing", kEyes, {1, 0, 0}, 1.2f, 0.25f, true);
  b.translate("eye_height", kEyes, {0, 1, 0}, 1.2f, 0.25f);
  b.scale("eye_width", kEyes, {1, 0, 0}, 1.0f, 0.10f);
  b.scale("eye_aperture", kEyes, {0, 1, 0}, 0.6f, 0.18f);
  // Brows.
  b.translate("brow_height", kBrows, {0, 1, 0}, 1.2f, 0.30f);
  b.translate("brow_spacing", kBrows, {1, 0, 0}, 1.2f, 0.25f, true);
  b.scale("brow_arch", kBrows, {0, 1, 0}, 0.8f, 0.25f);
  // Nose.
  b.translate("nose_length", kNoseTip, {0, 1, 0}, 1.2f, 0.30f);
  b.translate("nose_width", kNoseWings, {1, 0, 0}, 1.0f, 0.15f, true);
  // Mouth and lips.
  b.translate("mouth_height", kMouth, {0, 1, 0}, 1.5f, 0.35f);
  b.scale("mouth_width", kMouth, {1, 0, 0}, 1.2f, 0.10f);
  b.translate("upper_lip_thickness", kUpperLip, {0, 1, 0}, 0.5f, 0.12f);
  b.translate("lower_lip_thickness", kLowerLip, {0, -1, 0}, 0.5f, 0.14f);
  // Lower face.
  b.translate("chin_length", kChin, {0, -1, 0}, 2.5f, 0.40f);
  b.translate("jaw_width", kJaw, {1, 0, 0}, 2.0f, 0.40f, true);
  b.translate("cheek_fullness", kCheeks, {0, 0, 1}, 2.0f, 0.30f);
  return b.take();
}

}  // namespace auhead::au_estimation
