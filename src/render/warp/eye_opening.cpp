#include "render/warp/eye_opening.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "render/warp/face_regions.h"

namespace auhead::render::warp {

namespace {

constexpr int kShift = 4;  // sub-pixel polygon filling
constexpr float kOne = 1 << kShift;

template <std::size_t N>
std::vector<cv::Point2f> outline(const Opening<N>& o, const std::vector<cv::Point2f>& f) {
  std::vector<cv::Point2f> p;
  for (std::size_t i = 0; i < N; ++i) p.push_back(f[size_t(o.upper[i])]);
  for (std::size_t i = N - 2; i >= 1; --i) p.push_back(f[size_t(o.lower[i])]);
  return p;
}

template <std::size_t N>
float mean_gap(const Opening<N>& o, const std::vector<cv::Point2f>& f) {
  float s = 0;
  for (std::size_t i = 1; i + 1 < N; ++i) s += float(cv::norm(f[size_t(o.upper[i])] - f[size_t(o.lower[i])]));
  return s / float(N - 2);
}

// An 8-bit mask of `poly` (frame pixels) inside the region `r`, anti-aliased.
cv::Mat poly_mask(const std::vector<cv::Point2f>& poly, const cv::Rect& r) {
  cv::Mat m(r.size(), CV_8UC1, cv::Scalar(0));
  std::vector<cv::Point> pts;
  for (const auto& p : poly)
    pts.emplace_back(int(std::lround((p.x - 0.5f - float(r.x)) * kOne)), int(std::lround((p.y - 0.5f - float(r.y)) * kOne)));
  cv::fillPoly(m, std::vector<std::vector<cv::Point>>{pts}, cv::Scalar(255), cv::LINE_AA, kShift);
  return m;
}

float percentile(std::vector<float> v, double q) {
  if (v.empty()) return 0;
  const size_t k = std::min(v.size() - 1, size_t(q * double(v.size() - 1) + 0.5));
  std::nth_element(v.begin(), v.begin() + std::ptrdiff_t(k), v.end());
  return v[k];
}

cv::Vec3f median_colour(const std::vector<cv::Vec3f>& c) {
  cv::Vec3f out;
  for (int ch = 0; ch < 3; ++ch) {
    std::vector<float> v;
    for (const auto& x : c) v.push_back(x[ch]);
    out[ch] = percentile(v, 0.5);
  }
  return out;
}

float luminance(const cv::Vec3f& c) { return 0.3f * c[0] + 0.59f * c[1] + 0.11f * c[2]; }

// The sclera a raised lid uncovers. What the portrait shows of it is small, half in the lid's shadow
// and blurred with the lids and the iris, so it measures nearly the skin's colour; drawn so, the
// uncovered band reads as a lid, not as a wide-open eye. It is drawn at half the measured chroma
// (the light's colour kept) and at least 30 % lighter than the skin around the eye.
cv::Vec3f uncovered_sclera(const cv::Vec3f& measured, float skin_luminance) {
  const float lum = luminance(measured);
  cv::Vec3f c = cv::Vec3f(lum, lum, lum) + 0.5f * (measured - cv::Vec3f(lum, lum, lum));
  const float target = std::min(235.f, std::max(lum, 1.3f * skin_luminance));
  if (lum > 1.f) c *= target / lum;
  for (int ch = 0; ch < 3; ++ch) c[ch] = std::min(c[ch], 250.f);
  return c;
}

template <std::size_t N>
EyeOpening::Eye measure(const cv::Mat& framed, const std::vector<cv::Point2f>& face, const Opening<N>& o) {
  EyeOpening::Eye e;
  e.opening = mean_gap(o, face);
  const float width = float(cv::norm(face[size_t(o.upper[0])] - face[size_t(o.upper[N - 1])]));
  if (!(e.opening > 2.f) || !(width > 8.f)) return e;
  const auto poly = outline(o, face);
  const cv::Rect r = cv::boundingRect(poly) & cv::Rect(0, 0, framed.cols, framed.rows);
  if (r.area() <= 0) return e;
  cv::Mat mask = poly_mask(poly, r);
  cv::erode(mask, mask, cv::Mat());
  std::vector<float> grey, xs, ys, skin;
  std::vector<cv::Vec3f> colours;
  for (int y = 0; y < r.height; ++y)
    for (int x = 0; x < r.width; ++x) {
      const cv::Vec3b c = framed.at<cv::Vec3b>(r.y + y, r.x + x);
      if (mask.at<uint8_t>(y, x) == 0) skin.push_back(luminance(c));
      if (mask.at<uint8_t>(y, x) < 200) continue;
      colours.emplace_back(c[0], c[1], c[2]);
      grey.push_back(luminance(c));
      xs.push_back(float(r.x + x) + 0.5f);
      ys.push_back(float(r.y + y) + 0.5f);
    }
  if (grey.size() < 20) return e;
  // The sclera: the whitest 3 % of the opening (light and colourless: luminance less chroma), not
  // its lightest pixels, which on a small or hooded eye are mostly the lid's skin inside the mesh's
  // outline (its colour would be taken for the light's, and drawn where a raised lid uncovers sclera,
  // the band read as a pale lid).
  std::vector<float> white(grey.size());
  for (size_t i = 0; i < grey.size(); ++i) {
    const cv::Vec3f& c = colours[i];
    white[i] = grey[i] - (std::max({c[0], c[1], c[2]}) - std::min({c[0], c[1], c[2]}));
  }
  const float whitest = percentile(white, 0.97), dark = percentile(grey, 0.3);
  std::vector<cv::Vec3f> sclera, iris;
  std::vector<float> ix, iy;
  for (size_t i = 0; i < grey.size(); ++i) {
    if (white[i] >= whitest) sclera.push_back(colours[i]);
    if (grey[i] <= dark) iris.push_back(colours[i]), ix.push_back(xs[i]), iy.push_back(ys[i]);
  }
  e.sclera = median_colour(sclera);
  e.fill = uncovered_sclera(e.sclera, skin.empty() ? 0.f : percentile(skin, 0.5));
  e.iris = median_colour(iris);
  // Too little contrast (a shadowed eye, glasses' glare): the opening cannot be told apart.
  if (luminance(e.sclera) - luminance(e.iris) < 25.f) return e;
  // The iris: as wide as its dark pixels (within a human eye's proportions), resting on its lowest.
  e.iris_radius = std::clamp(0.5f * (percentile(ix, 0.95) - percentile(ix, 0.05)), 0.16f * width, 0.26f * width);
  e.iris_centre = {percentile(ix, 0.5), percentile(iy, 0.95) - e.iris_radius};
  e.usable = true;
  return e;
}

// The similarity that takes segment a0→a1 to b0→b1, as a 2×3 matrix.
cv::Matx23f similarity(cv::Point2f a0, cv::Point2f a1, cv::Point2f b0, cv::Point2f b1) {
  const cv::Point2f da = a1 - a0, db = b1 - b0;
  const float la = float(da.dot(da));
  if (!(la > 1e-6f)) return cv::Matx23f(1, 0, b0.x - a0.x, 0, 1, b0.y - a0.y);
  const float c = (da.x * db.x + da.y * db.y) / la, s = (da.x * db.y - da.y * db.x) / la;
  return cv::Matx23f(c, -s, b0.x - (c * a0.x - s * a0.y), s, c, b0.y - (s * a0.x + c * a0.y));
}

cv::Point2f apply(const cv::Matx23f& m, cv::Point2f p) {
  return {m(0, 0) * p.x + m(0, 1) * p.y + m(0, 2), m(1, 0) * p.x + m(1, 1) * p.y + m(1, 2)};
}

template <std::size_t N>
void redraw(cv::Mat& frame, const cv::Mat& framed, const std::vector<cv::Point2f>& src,
            const std::vector<cv::Point2f>& dst, const Opening<N>& o, const EyeOpening::Eye& e) {
  if (!e.usable) return;
  const float now = mean_gap(o, dst);
  // Eased in from 4 % wider: a lid that merely trembles is left to the warp.
  const float weight = std::clamp((now / e.opening - 1.04f) / 0.12f, 0.f, 1.f);
  if (weight <= 0) return;
  const cv::Matx23f m = similarity(src[size_t(o.upper[0])], src[size_t(o.upper[N - 1])], dst[size_t(o.upper[0])],
                                   dst[size_t(o.upper[N - 1])]);
  const float scale = std::hypot(m(0, 0), m(1, 0));
  const auto dst_poly = outline(o, dst);
  std::vector<cv::Point2f> moved = outline(o, src);
  for (auto& p : moved) p = apply(m, p);
  const cv::Rect r = (cv::boundingRect(dst_poly) + cv::Size(6, 6) - cv::Point(3, 3)) & cv::Rect(0, 0, frame.cols, frame.rows);
  if (r.area() <= 0) return;
  // The portrait's eye moved rigidly (pixel-centre convention: continuous p ↔ index p − 0.5).
  cv::Matx23f local = m;
  local(0, 2) += m(0, 0) * 0.5f + m(0, 1) * 0.5f - 0.5f - float(r.x);
  local(1, 2) += m(1, 0) * 0.5f + m(1, 1) * 0.5f - 0.5f - float(r.y);
  cv::Mat rigid;
  cv::warpAffine(framed, rigid, cv::Mat(local), r.size(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  // Where the portrait showed eye: its pixels, less a rim at the old lid line (lashes, lid shadow).
  // The rim is taken off the top only (the mask and itself moved down by the rim, intersected): the
  // lower lid and the corners stay the portrait's.
  cv::Mat shown = poly_mask(moved, r), lowered;
  const float rim = std::max(1.f, 0.15f * e.opening * scale);
  cv::warpAffine(shown, lowered, cv::Mat(cv::Matx23f(1, 0, 0, 0, 1, rim)), r.size(), cv::INTER_LINEAR,
                 cv::BORDER_CONSTANT, cv::Scalar(0));
  shown = cv::min(shown, lowered);
  cv::GaussianBlur(shown, shown, cv::Size(0, 0), 0.3 * rim + 0.5);
  // Redrawn: the new opening above the portrait's lower lid (moved with the corners); below that
  // line the warp's own pixels stay (a lowered lower lid would otherwise show a painted rim).
  std::vector<cv::Point2f> above;
  for (std::size_t i = 0; i < N; ++i) above.push_back(apply(m, src[size_t(o.lower[i])]));
  const cv::Point2f up = cv::Point2f(m(0, 1), m(1, 1)) * (-4.f * std::max(1.f, now));  // the eye's "up", far
  above.push_back(above.back() + up);
  above.push_back(above.front() + up);
  cv::Mat opening = cv::min(poly_mask(dst_poly, r), poly_mask(above, r));
  cv::GaussianBlur(opening, opening, cv::Size(0, 0), 0.7);
  // Shade under the upper lid: distance to the lid line, over a third of the new opening.
  cv::Mat lid(r.size(), CV_8UC1, cv::Scalar(255));
  std::vector<cv::Point> upper;
  for (std::size_t i = 0; i < N; ++i)
    upper.emplace_back(int(std::lround(dst[size_t(o.upper[i])].x - 0.5f - float(r.x))),
                       int(std::lround(dst[size_t(o.upper[i])].y - 0.5f - float(r.y))));
  cv::polylines(lid, upper, false, cv::Scalar(0), 1, cv::LINE_8);
  cv::Mat dist;
  cv::distanceTransform(lid, dist, cv::DIST_L2, 3);
  const cv::Point2f centre = apply(m, e.iris_centre) - cv::Point2f(float(r.x), float(r.y));
  const float radius = e.iris_radius * scale, shade_span = std::max(1.f, 0.35f * now);
  for (int y = 0; y < r.height; ++y) {
    cv::Vec3b* out = frame.ptr<cv::Vec3b>(r.y + y) + r.x;
    const cv::Vec3b* eye = rigid.ptr<cv::Vec3b>(y);
    for (int x = 0; x < r.width; ++x) {
      const float a = weight * float(opening.at<uint8_t>(y, x)) / 255.f;
      if (a <= 0) continue;
      // The uncovered band: the iris where its circle reaches, sclera elsewhere, shaded by the lid.
      const float dx = float(x) + 0.5f - centre.x, dy = float(y) + 0.5f - centre.y;
      const float in_iris = std::clamp(radius + 0.5f - std::sqrt(dx * dx + dy * dy), 0.f, 1.f);
      cv::Vec3f fill = e.fill * (1 - in_iris) + e.iris * in_iris;
      const float d = dist.at<float>(y, x) / shade_span;
      fill *= 0.85f + 0.15f * std::min(1.f, d);
      const float s = float(shown.at<uint8_t>(y, x)) / 255.f;
      const cv::Vec3f px = cv::Vec3f(eye[x][0], eye[x][1], eye[x][2]) * s + fill * (1 - s);
      for (int c = 0; c < 3; ++c) out[x][c] = cv::saturate_cast<uint8_t>(float(out[x][c]) * (1 - a) + px[c] * a);
    }
  }
}

}  // namespace

EyeOpening::EyeOpening(const cv::Mat& framed, const std::vector<cv::Point2f>& face) : framed_(framed), face_(face) {
  eyes_[0] = measure(framed, face, kRightEye);
  eyes_[1] = measure(framed, face, kLeftEye);
}

void EyeOpening::compose(cv::Mat& frame, const std::vector<cv::Point2f>& face) const {
  redraw(frame, framed_, face_, face, kRightEye, eyes_[0]);
  redraw(frame, framed_, face_, face, kLeftEye, eyes_[1]);
}

}  // namespace auhead::render::warp
