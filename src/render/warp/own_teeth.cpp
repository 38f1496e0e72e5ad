#include "render/warp/own_teeth.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "core/smoothstep.h"
#include "render/warp/face_regions.h"
#include "render/warp/light_cast.h"
#include "render/warp/opening_lines.h"

namespace auhead::render::warp {

float teeth_likeness(const cv::Vec3b& p, const cv::Scalar& lip) {
  const float lip_chroma = std::hypot(float(lip[1] - 128), float(lip[2] - 128));
  const float light = smoothstep(float(lip[0]) + 6.f, float(lip[0]) + 18.f, float(p[0]));
  if (lip_chroma < 4.f) return light;
  // The pixel's chroma along the lips' hue.
  const float redness = ((float(p[1]) - 128.f) * float(lip[1] - 128) + (float(p[2]) - 128.f) * float(lip[2] - 128)) / lip_chroma;
  return light * smoothstep(0.75f * lip_chroma, 0.45f * lip_chroma, redness);
}

OwnTeeth::OwnTeeth(const cv::Mat& framed, const std::vector<cv::Point2f>& face, const cv::Vec3f& white) {
  if (face.size() < 468 || framed.empty()) return;
  const cv::Point2f left = face[std::size_t(kInnerLips.upper.front())], right = face[std::size_t(kInnerLips.upper.back())];
  const float width = std::abs(right.x - left.x);
  if (width < 12) return;  // too small a mouth to take teeth from
  // The lips' colour in Lab (the ring between the outer and inner lip lines), for the teeth test.
  const std::vector<cv::Point> ring = opening_polygon(face, kOuterLips.upper, kOuterLips.lower);
  const std::vector<cv::Point> inner = opening_polygon(face, kInnerLips.upper, kInnerLips.lower);
  cv::Mat lips(framed.size(), CV_8U, cv::Scalar(0)), hole(framed.size(), CV_8U, cv::Scalar(0));
  cv::fillPoly(lips, std::vector<std::vector<cv::Point>>{ring}, cv::Scalar(255));
  cv::fillPoly(hole, std::vector<std::vector<cv::Point>>{inner}, cv::Scalar(255));
  lips &= ~hole;
  if (cv::countNonZero(lips) < 10) return;
  // The colour test sees the photo under white light (its own pixels are what is sampled).
  cv::Mat lab;
  cv::cvtColor(under_white_light(framed, white), lab, cv::COLOR_RGB2Lab);
  const cv::Scalar lip = cv::mean(lab, lips);

  // The strip: column u at x between the inner corners, row r at r / kRowsPerWidth mouth widths under
  // the upper inner lip; samples beyond the lower inner lip are not teeth.
  cv::Mat map_x(kRows, kColumns, CV_32F), map_y(kRows, kColumns, CV_32F), inside(kRows, kColumns, CV_32F);
  for (int c = 0; c < kColumns; ++c) {
    float x = left.x + (right.x - left.x) * (float(c) + 0.5f) / kColumns;
    float yu = line_y_at(kInnerLips.upper, face, x), yl = line_y_at(kInnerLips.lower, face, x);
    for (int r = 0; r < kRows; ++r) {
      float y = yu + width * float(r) / kRowsPerWidth;
      map_x.at<float>(r, c) = x;
      map_y.at<float>(r, c) = std::isfinite(y) ? y : -1.f;
      inside.at<float>(r, c) = std::isfinite(yu) && std::isfinite(yl) ? smoothstep(yl + 0.5f, yl - 1.f, y) : 0.f;
    }
  }
  cv::Mat rgb, lab_strip;
  cv::remap(framed, rgb, map_x, map_y, cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  cv::remap(lab, lab_strip, map_x, map_y, cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  rgb.convertTo(colour_, CV_32FC3);
  weight_.create(kRows, kColumns, CV_32F);
  for (int r = 0; r < kRows; ++r)
    for (int c = 0; c < kColumns; ++c)
      weight_.at<float>(r, c) = teeth_likeness(lab_strip.at<cv::Vec3b>(r, c), lip) * inside.at<float>(r, c);
  // Per column, the incisal edge: the end of the first run of teeth that starts near the lip.
  edge_.assign(kColumns, -1.f);
  for (int c = 0; c < kColumns; ++c) {
    int r = 0;
    while (r < kRows / 3 && weight_.at<float>(r, c) < 0.5f) ++r;
    if (r >= kRows / 3) continue;
    while (r + 1 < kRows && weight_.at<float>(r + 1, c) > 0.3f) ++r;
    edge_[std::size_t(c)] = float(r);
  }
  // A ragged edge (a gap, a dark tooth) is smoothed by a running median over 7 columns.
  std::vector<float> smooth = edge_;
  for (int c = 0; c < kColumns; ++c) {
    std::vector<float> w;
    for (int k = std::max(0, c - 3); k <= std::min(kColumns - 1, c + 3); ++k) w.push_back(edge_[std::size_t(k)]);
    std::nth_element(w.begin(), w.begin() + long(w.size() / 2), w.end());
    smooth[std::size_t(c)] = w[w.size() / 2];
  }
  edge_ = smooth;
  // Columns without teeth between ones with teeth (a dark tooth, a reflection) take the edge
  // interpolated from their neighbours; beyond the outermost teeth the edge runs out over 8 % of the
  // width, so the teeth end in the mouth's shadow instead of a cut.
  int first = -1, last = -1;
  for (int c = 0; c < kColumns; ++c)
    if (edge_[std::size_t(c)] >= 0) {
      if (first < 0) first = c;
      else if (c - last > 1)
        for (int k = last + 1; k < c; ++k)
          edge_[std::size_t(k)] = edge_[std::size_t(last)] + (edge_[std::size_t(c)] - edge_[std::size_t(last)]) * float(k - last) / float(c - last);
      last = c;
    }
  if (first < 0) return;
  fade_.assign(kColumns, 0.f);
  const float run = 0.08f * kColumns;
  for (int c = first; c <= last; ++c)
    fade_[std::size_t(c)] = smoothstep(0.f, run, float(c - first) + 0.5f) * smoothstep(0.f, run, float(last - c) + 0.5f);
  // Inside each column's teeth the weight is nearly full (the dark lines between teeth are the
  // photo's own, not holes into the cavity); below the edge it fades over two rows; none elsewhere.
  for (int c = 0; c < kColumns; ++c)
    for (int r = 0; r < kRows; ++r) {
      float e = edge_[std::size_t(c)];
      float& w = weight_.at<float>(r, c);
      w = e < 0 ? 0.f : std::max(std::min(w, 1.f - smoothstep(e, e + 2.f, float(r))), 0.9f * (1.f - smoothstep(e - 1.f, e + 1.f, float(r))));
    }
  cv::GaussianBlur(weight_, weight_, cv::Size(5, 1), 1.0);
  // Present when most of the mouth's middle half shows teeth at least 0.03 widths tall.
  int found = 0, middle = 0;
  for (int c = kColumns / 4; c < 3 * kColumns / 4; ++c, ++middle)
    if (edge_[std::size_t(c)] >= 0.03f * kRowsPerWidth) ++found;
  present_ = found * 10 >= middle * 6;
}

float OwnTeeth::height(float u) const {
  if (!present_) return 0;
  int c = std::clamp(int(u * kColumns), 0, kColumns - 1);
  return std::max(0.f, edge_[std::size_t(c)]) / kRowsPerWidth;
}

void OwnTeeth::sample(float u, float above_edge, cv::Vec3f& colour, float& weight) const {
  weight = 0;
  if (!present_) return;
  float cf = std::clamp(u * kColumns - 0.5f, 0.f, float(kColumns - 1));
  int c = int(cf);
  if (edge_[std::size_t(c)] < 0) return;
  float rf = edge_[std::size_t(c)] - above_edge * kRowsPerWidth;
  if (rf < 0 || rf > kRows - 1) return;
  // Bilinear in the strip.
  int r0 = int(rf), r1 = std::min(r0 + 1, kRows - 1), c1 = std::min(c + 1, kColumns - 1);
  float fr = rf - float(r0), fc = cf - float(c);
  auto at = [&](const cv::Mat& m, auto tag) {
    using T = decltype(tag);
    return (m.at<T>(r0, c) * (1 - fc) + m.at<T>(r0, c1) * fc) * (1 - fr) +
           (m.at<T>(r1, c) * (1 - fc) + m.at<T>(r1, c1) * fc) * fr;
  };
  colour = at(colour_, cv::Vec3f());
  weight = at(weight_, 0.f) * fade_[std::size_t(c)];
}

}  // namespace auhead::render::warp
