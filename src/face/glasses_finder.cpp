#include "face/glasses_finder.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

#include <opencv2/imgproc.hpp>

namespace auhead::face {
namespace {

// The rectified picture: the eye centres at (±kHalfGap, 0) relative to its middle, so the numbers below
// are in hundredths of the distance between the eyes.
constexpr float kHalfGap = 50;
constexpr int kWidth = 220, kHeight = 130;
const cv::Point2f kMiddle(kWidth / 2.f, kHeight / 2.f - 5);

constexpr int kRays = 64;

const int kRightEyeRing[] = {33, 246, 161, 160, 159, 158, 157, 173, 133, 155, 154, 153, 145, 144, 163, 7};
const int kLeftEyeRing[] = {263, 466, 388, 387, 386, 385, 384, 398, 362, 382, 381, 380, 374, 373, 390, 249};

template <std::size_t N>
cv::Point2f mean_of(const std::vector<cv::Point2f>& lm, const int (&idx)[N]) {
  cv::Point2f c(0, 0);
  for (int i : idx) c += lm[std::size_t(i)];
  return c * (1.f / float(N));
}

}  // namespace

GlassesFrames find_glasses(const cv::Mat& rgb, const std::vector<cv::Point2f>& lm) {
  GlassesFrames out;
  if (rgb.empty() || lm.size() < 468) return out;
  const cv::Point2f right = mean_of(lm, kRightEyeRing), left = mean_of(lm, kLeftEyeRing);
  const cv::Point2f gap = left - right;
  const float distance = float(cv::norm(gap));
  if (distance < 8) return out;  // too small a face to see a frame on
  // image → rectified: rotate the eye line level, scale the eye distance to 2·kHalfGap.
  const float s = 2 * kHalfGap / distance, c = gap.x / distance, n = gap.y / distance;
  const cv::Point2f mid = (left + right) * 0.5f;
  cv::Matx23f to_rect(s * c, s * n, 0, -s * n, s * c, 0);
  to_rect(0, 2) = kMiddle.x - (to_rect(0, 0) * mid.x + to_rect(0, 1) * mid.y);
  to_rect(1, 2) = kMiddle.y - (to_rect(1, 0) * mid.x + to_rect(1, 1) * mid.y);

  cv::Mat gray, rect;
  cv::cvtColor(rgb, gray, rgb.channels() == 4 ? cv::COLOR_RGBA2GRAY : cv::COLOR_RGB2GRAY);
  cv::warpAffine(gray, rect, cv::Mat(to_rect), cv::Size(kWidth, kHeight), cv::INTER_AREA, cv::BORDER_REPLICATE);
  // Dark structures thinner than the kernel (frames, brows, creases) stand out of the skin's shading.
  cv::Mat dark;
  cv::morphologyEx(rect, dark, cv::MORPH_BLACKHAT, cv::getStructuringElement(cv::MORPH_ELLIPSE, {15, 15}));
  cv::Mat darkf;
  dark.convertTo(darkf, CV_32F);
  cv::GaussianBlur(darkf, darkf, {3, 3}, 0.8);
  // The level a frame must reach: a tenth of the skin's brightness (contrast scales with it), at least
  // 10 levels. Bare skin between the eyes stays below 9 on every face we tried.
  std::vector<uchar> levels(rect.begin<uchar>(), rect.end<uchar>());
  std::nth_element(levels.begin(), levels.begin() + levels.size() / 2, levels.end());
  const float threshold = out.threshold = std::max(10.f, 0.1f * float(levels[levels.size() / 2]));

  // The bridge: rows across the middle of the nose at brow-to-eye height; a bar across all of it.
  int bridge_row = 0;
  for (int y = int(kMiddle.y) - 30; y <= int(kMiddle.y) + 8; ++y) {
    float row = 1e9f;
    for (int x = int(kMiddle.x) - 6; x <= int(kMiddle.x) + 6; ++x) row = std::min(row, darkf.at<float>(y, x));
    if (row > out.bridge) out.bridge = row, bridge_row = y;
  }
  if (out.bridge <= 1.5f * threshold) return out;

  // The lenses: the rounded rectangle (a superellipse, the same for both eyes, mirrored) along which
  // the dark response is strongest, searched over sizes and offsets from the eyes. Wrinkles, brows and
  // lashes do not line up along such a closed curve; a frame does.
  const cv::Point2f eyes[2] = {kMiddle + cv::Point2f(-kHalfGap, 0), kMiddle + cv::Point2f(kHalfGap, 0)};
  auto sample = [&](float x, float y) {
    int xi = int(std::lround(x)), yi = int(std::lround(y));
    if (xi < 0 || yi < 0 || xi >= kWidth || yi >= kHeight) return 0.f;
    return darkf.at<float>(yi, xi);
  };
  std::array<cv::Point2f, kRays> unit;  // the superellipse of exponent 2.5 with unit half-axes
  for (int k = 0; k < kRays; ++k) {
    const float t = 2 * std::numbers::pi_v<float> * float(k) / kRays, ct = std::cos(t), st = std::sin(t);
    const float r = 1 / std::pow(std::pow(std::abs(ct), 2.5f) + std::pow(std::abs(st), 2.5f), 1 / 2.5f);
    unit[std::size_t(k)] = {r * ct, r * st};
  }
  // Lens centre of eye e (0: image left) for outward shift dx and drop dy.
  auto lens_point = [&](int e, float a, float b, float dx, float dy, int k) {
    const cv::Point2f u = unit[std::size_t(k)];
    const float out_sign = e == 0 ? -1.f : 1.f;
    return eyes[e] + cv::Point2f(out_sign * dx + a * u.x, dy + b * u.y);
  };
  // Each candidate: the fraction of its points on a dark structure. A frame is the outermost closed
  // curve around the eyes: of the candidates nearly as well covered as the best, the largest wins
  // (wrinkles inside old lenses can close a ring too).
  struct Candidate {
    float cover, a, b, dx, dy;
  };
  std::vector<Candidate> candidates;
  float best_cover = 0;
  for (float a = 32; a <= 60; a += 2)
    for (float b = 20; b <= 44; b += 2)
      for (float dy = -8; dy <= 16; dy += 2)
        for (float dx = -4; dx <= 8; dx += 3) {
          if (kHalfGap - dx - a < 2) continue;  // the lenses would overlap at the nose
          int on = 0;
          for (int e = 0; e < 2; ++e)
            for (int k = 0; k < kRays; ++k) {
              const cv::Point2f p = lens_point(e, a, b, dx, dy, k);
              on += sample(p.x, p.y) > threshold;
            }
          const float cover = float(on) / (2 * kRays);
          candidates.push_back({cover, a, b, dx, dy});
          best_cover = std::max(best_cover, cover);
        }
  Candidate pick{0, 0, 0, 0, 0};
  for (const auto& cnd : candidates)
    if (cnd.cover >= best_cover - 0.05f && cnd.a * cnd.b > pick.a * pick.b) pick = cnd;
  const float best_a = pick.a, best_b = pick.b, best_dx = pick.dx, best_dy = pick.dy;
  // Each point of the curve moves to the dark peak within a few pixels along its ray (the frame's real
  // shape); its thickness is how far the darkness extends around that peak.
  std::vector<std::vector<cv::Point>> rims(2);
  std::vector<float> widths;
  int hits = 0;
  for (int e = 0; e < 2; ++e)
    for (int k = 0; k < kRays; ++k) {
      const cv::Point2f p = lens_point(e, best_a, best_b, best_dx, best_dy, k);
      const cv::Point2f centre = lens_point(e, 0, 0, best_dx, best_dy, k);
      cv::Point2f dir = p - centre;
      dir *= 1.f / std::max(1e-3f, float(cv::norm(dir)));
      float peak = 0, at = 0;
      for (float d = -5; d <= 5; d += 0.5f)
        if (float v = sample(p.x + d * dir.x, p.y + d * dir.y); v > peak) peak = v, at = d;
      const bool hit = peak > threshold;
      hits += hit;
      if (!hit) at = 0;
      const cv::Point2f q = p + at * dir;
      rims[std::size_t(e)].emplace_back(int(std::lround(q.x * 8)), int(std::lround(q.y * 8)));  // 3 fractional bits
      if (hit) {
        float w = 0;
        for (float d = 0.5f; d < 8 && sample(q.x + d * dir.x, q.y + d * dir.y) > 0.5f * threshold; d += 0.5f) w += 0.5f;
        for (float d = 0.5f; d < 8 && sample(q.x - d * dir.x, q.y - d * dir.y) > 0.5f * threshold; d += 0.5f) w += 0.5f;
        widths.push_back(w + 0.5f);
      }
    }
  out.ring_cover = float(hits) / (2 * kRays);
  out.found = out.ring_cover >= 0.6f;
  if (!out.found) return out;

  // The frame: both rims at their measured thickness, and the bridge between them at its row.
  std::nth_element(widths.begin(), widths.begin() + widths.size() / 2, widths.end());
  const int thickness = std::clamp(int(std::lround(widths[widths.size() / 2])) + 1, 2, 10);
  cv::Mat frame8(rect.size(), CV_8U, cv::Scalar(0));
  cv::polylines(frame8, rims, true, cv::Scalar(255), thickness, cv::LINE_AA, 3);
  int bridge_rows = 0;
  for (int y = bridge_row - 6; y <= bridge_row + 6; ++y)
    if (y >= 0 && y < kHeight && darkf.at<float>(y, int(kMiddle.x)) > 0.5f * threshold) ++bridge_rows;
  const float inner_edge = kHalfGap - best_dx - best_a + 3;
  cv::line(frame8, {int(kMiddle.x - inner_edge), bridge_row}, {int(kMiddle.x + inner_edge), bridge_row}, cv::Scalar(255),
           std::clamp(bridge_rows, 2, 10), cv::LINE_AA);
  cv::Mat frame;
  frame8.convertTo(frame, CV_32F, 1 / 255.0);
  cv::dilate(frame, frame, cv::getStructuringElement(cv::MORPH_ELLIPSE, {3, 3}));
  cv::GaussianBlur(frame, frame, {5, 5}, 1.2);
  cv::warpAffine(frame, out.mask, cv::Mat(to_rect), rgb.size(), cv::INTER_LINEAR | cv::WARP_INVERSE_MAP,
                 cv::BORDER_CONSTANT, cv::Scalar(0));
  return out;
}

cv::Mat draw_test_glasses(cv::Mat& rgb, const std::vector<cv::Point2f>& lm, bool thick) {
  const cv::Point2f right = mean_of(lm, kRightEyeRing), left = mean_of(lm, kLeftEyeRing);
  const float distance = float(cv::norm(left - right));
  const cv::Point2f along = (left - right) * (1 / distance), up(along.y, -along.x);
  const float angle = float(std::atan2(along.y, along.x) * 180 / std::numbers::pi);
  const int width = std::max(1, int(std::lround((thick ? 0.05f : 0.02f) * distance)));
  cv::Mat truth(rgb.size(), CV_8U, cv::Scalar(0));
  for (cv::Mat* target : {&rgb, &truth}) {
    const cv::Scalar colour = target == &truth ? cv::Scalar(255) : thick ? cv::Scalar(28, 22, 20) : cv::Scalar(95, 85, 75);
    for (const cv::Point2f& eye : {right, left})
      cv::ellipse(*target, cv::RotatedRect(eye - up * (0.03f * distance), {0.86f * distance, 0.6f * distance}, angle),
                  colour, width, cv::LINE_AA);
    cv::line(*target, right + along * (0.43f * distance) + up * (0.08f * distance),
             left - along * (0.43f * distance) + up * (0.08f * distance), colour, width, cv::LINE_AA);
  }
  return truth;
}

}  // namespace auhead::face
