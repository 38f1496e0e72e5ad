#include "render/warp/mouth_interior.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include <opencv2/imgproc.hpp>
#include <opencv2/photo.hpp>

#include "core/smoothstep.h"
#include "render/warp/face_regions.h"
#include "render/warp/meeting_line.h"
#include "render/warp/opening_lines.h"

namespace auhead::render::warp {

namespace {

// Mean colour of the image over a polygon.
cv::Vec3f mean_in(const cv::Mat& img, const std::vector<cv::Point>& poly) {
  cv::Mat mask(img.size(), CV_8U, cv::Scalar(0));
  cv::fillPoly(mask, std::vector<std::vector<cv::Point>>{poly}, cv::Scalar(255));
  cv::Scalar m = cv::mean(img, mask);
  return {float(m[0]), float(m[1]), float(m[2])};
}

// Darkening at a gap between teeth: `sep` 0 on the gap, 1 away from it; gaps fade toward the sides.
float g_teeth_sep(float sep, float au) { return 1.f - 0.22f * (1.f - sep) * (1.f - au); }

}  // namespace

float MouthInterior::lip_gap(const std::vector<cv::Point2f>& face) {
  float sum = 0;
  int n = 0;
  for (std::size_t i = 2; i + 2 < kInnerLips.upper.size(); ++i) {
    sum += float(cv::norm(face[kInnerLips.upper[i]] - face[kInnerLips.lower[i]]));
    ++n;
  }
  return sum / n;
}

void MouthInterior::erase_teeth(cv::Mat& framed, const std::vector<cv::Point2f>& face) {
  std::vector<cv::Point> outer = opening_polygon(face, kOuterLips.upper, kOuterLips.lower);
  std::vector<cv::Point> inner = opening_polygon(face, kInnerLips.upper, kInnerLips.lower);
  cv::Rect box = cv::boundingRect(outer);
  const int pad = std::max(4, box.width / 8);
  box.x -= pad, box.y -= pad, box.width += 2 * pad, box.height += 2 * pad;
  box &= cv::Rect(0, 0, framed.cols, framed.rows);
  if (box.width < 4 || box.height < 4) return;
  for (auto* poly : {&outer, &inner})
    for (auto& p : *poly) p -= box.tl();
  cv::Mat roi = framed(box), lab;
  cv::cvtColor(roi, lab, cv::COLOR_RGB2Lab);
  cv::Mat in_outer(box.size(), CV_8U, cv::Scalar(0)), in_inner(box.size(), CV_8U, cv::Scalar(0));
  cv::fillPoly(in_outer, std::vector<std::vector<cv::Point>>{outer}, cv::Scalar(255));
  cv::fillPoly(in_inner, std::vector<std::vector<cv::Point>>{inner}, cv::Scalar(255));
  cv::Mat band = in_outer & ~in_inner;
  // The lips' own colour (Lab, 8-bit scale: a and b offset by 128): the band's median-ish mean.
  cv::Scalar lip = cv::mean(lab, band);
  const float lip_chroma = std::hypot(float(lip[1] - 128), float(lip[2] - 128));
  // Teeth: lighter and greyer than the lips, anywhere in the mouth; plus everything between the lips.
  cv::Mat mask = in_inner.clone();
  int teeth = 0;
  for (int y = 0; y < box.height; ++y)
    for (int x = 0; x < box.width; ++x) {
      if (!in_outer.at<uint8_t>(y, x)) continue;
      const auto& c = lab.at<cv::Vec3b>(y, x);
      float chroma = std::hypot(float(c[1]) - 128.f, float(c[2]) - 128.f);
      if (c[0] > lip[0] + 12 && chroma < 0.6f * lip_chroma) {
        mask.at<uint8_t>(y, x) = 255;
        ++teeth;
      }
    }
  if (teeth < 4 && lip_gap(face) < 1.f) return;  // closed lips, no teeth: nothing to do
  cv::dilate(mask, mask, cv::Mat(), cv::Point(-1, -1), 1);
  cv::Mat filled;
  cv::inpaint(roi, mask, filled, std::max(2.0, box.width / 20.0), cv::INPAINT_TELEA);
  filled.copyTo(roi);
}

MouthInterior::MouthInterior(const cv::Mat& framed, const std::vector<cv::Point2f>& face, bool lips_closed_at_rest,
                             OwnTeeth own_teeth)
    : own_teeth_(std::move(own_teeth)) {
  own_gap_ = lip_gap(face);
  source_gap_ = lips_closed_at_rest ? 0.f : own_gap_;
  // Lip colour: between the outer and inner lip lines (upper and lower lip).
  cv::Vec3f lip = (mean_in(framed, opening_polygon(face, kOuterLips.upper, kInnerLips.upper)) +
                   mean_in(framed, opening_polygon(face, kInnerLips.lower, kOuterLips.lower))) * 0.5f;
  // Skin: a cheek patch (between nose side and cheek outline), for the light level.
  cv::Vec3f skin = mean_in(framed, {cv::Point(cvRound(face[50].x), cvRound(face[50].y)),
                                    cv::Point(cvRound(face[101].x), cvRound(face[101].y)),
                                    cv::Point(cvRound(face[118].x), cvRound(face[118].y)),
                                    cv::Point(cvRound(face[117].x), cvRound(face[117].y)),
                                    cv::Point(cvRound(face[123].x), cvRound(face[123].y)),
                                    cv::Point(cvRound(face[187].x), cvRound(face[187].y))});
  float skin_l = (skin[0] + skin[1] + skin[2]) / 3.f;
  float light = std::clamp(skin_l / 170.f, 0.45f, 1.25f);
  cavity_ = cv::Vec3f(62, 14, 18) * (0.55f * light) + lip * 0.12f;
  seam_ = lip * 0.55f + cavity_ * 0.45f;
  // Ivory rather than neutral grey: next to the red lips a grey band reads as blue.
  // In the mouth's shadow: a warm off-white well below the skin's highlights.
  teeth_ = cv::Vec3f(228, 214, 190) * std::min(0.9f, 0.95f * light);
  tongue_ = cv::Vec3f(165, 60, 66) * (0.6f * light) + lip * 0.15f;
}

void MouthInterior::compose(cv::Mat& frame, const std::vector<cv::Point2f>& face) const {
  float gap = lip_gap(face);
  // A portrait that shows its teeth, with lips brought together: the line where they meet is drawn,
  // so no sliver of its teeth shows between them.
  if (own_gap_ > 1.5f && gap < 2.5f)
    draw_meeting_line(frame, smooth_stroke(opening_midline(kInnerLips, face)), 0.03f, seam_, 0.85f * (1 - gap / 2.5f));
  float extra = gap - source_gap_;
  float opacity = std::clamp(extra / 1.5f, 0.f, 1.f);
  if (opacity <= 0) return;
  // Inner-lip polygon (upper path, then the lower path back), 4× sub-pixel.
  std::vector<cv::Point2f> poly;
  for (int i : kInnerLips.upper) poly.push_back(face[i]);
  for (int k = int(kInnerLips.lower.size()) - 2; k >= 1; --k) poly.push_back(face[kInnerLips.lower[k]]);
  cv::Rect box = cv::boundingRect(poly);
  box.x -= 3;
  box.y -= 3;
  box.width += 6;
  box.height += 6;
  box &= cv::Rect(0, 0, frame.cols, frame.rows);
  if (box.width < 2 || box.height < 2) return;
  const int shift = 2;
  std::vector<cv::Point> ipoly;
  for (const auto& p : poly)
    ipoly.emplace_back(cvRound((p.x - box.x) * (1 << shift)), cvRound((p.y - box.y) * (1 << shift)));
  cv::Mat mask(box.size(), CV_8U, cv::Scalar(0));
  cv::fillPoly(mask, std::vector<std::vector<cv::Point>>{ipoly}, cv::Scalar(255), cv::LINE_AA, shift);
  cv::Mat alpha;
  cv::GaussianBlur(mask, alpha, cv::Size(3, 3), 0.8);

  // Mouth geometry: corners, width, the lip lines per column.
  cv::Point2f left = face[kInnerLips.upper.front()], right = face[kInnerLips.upper.back()];
  float cx = (left.x + right.x) / 2 - box.x;
  float half_w = std::max(2.f, std::abs(right.x - left.x) / 2);
  float width = 2 * half_w;
  float open_rel = gap / width;  // ~0.5 for a wide-open mouth
  float teeth_vis = smoothstep(0.02f, 0.09f, open_rel);
  float teeth_h = std::min(gap * 0.35f, 0.08f * width);
  float lower_vis = 0.55f * smoothstep(0.08f, 0.3f, open_rel);
  float lower_h = std::min(gap * 0.15f, 0.05f * width);
  float tongue_vis = smoothstep(0.1f, 0.3f, open_rel);
  // Tooth boundaries across the arch (fractions of the half width): incisors wider than the rest.
  static constexpr float kGaps[] = {0.f, 0.2f, 0.37f, 0.52f, 0.66f, 0.79f};
  const float gap_w = std::max(0.02f, 0.6f / half_w);  // about 0.6 px
  auto path_y = [&](const std::array<int, 11>& path, float x) {  // the lip line's y at column x of the box
    return line_y_at(path, face, x + float(box.x)) - float(box.y);
  };

  for (int x = 0; x < box.width; ++x) {
    float yu = path_y(kInnerLips.upper, float(x)), yl = path_y(kInnerLips.lower, float(x));
    float u = (float(x) - cx) / half_w;  // -1 .. 1 across the mouth
    float au = std::abs(u);
    bool lines = std::isfinite(yu) && std::isfinite(yl) && yl > yu;
    float h = lines ? yl - yu : 1.f;
    float corner = 1.f - 0.5f * std::pow(std::min(au, 1.f), 3.f);
    for (int y = 0; y < box.height; ++y) {
      // The opening tapers into the corners through the lips' own shadow, not to black points.
      float a = alpha.at<uint8_t>(y, x) / 255.f * opacity * (1.f - 0.6f * smoothstep(0.7f, 1.f, au));
      if (a <= 0) continue;
      float v = lines ? std::clamp((float(y) - yu) / h, 0.f, 1.f) : 0.5f;
      float to_lip = smoothstep(0.6f, 1.f, au);
      cv::Vec3f c = cavity_ * ((0.55f + 0.6f * v) * corner * (1 - to_lip)) + seam_ * to_lip;
      if (lines) {
        // Tongue: a soft ellipse rising from the bottom, lit from the front.
        float tu = u / 0.7f, tv = (1.f - v) / 0.5f;
        float d = tu * tu + tv * tv;
        float tongue = tongue_vis * smoothstep(1.f, 0.6f, d);
        c = c * (1 - tongue) + tongue_ * (tongue * corner * (0.75f + 0.25f * (1.f - d)));
        // Upper teeth: a band under the upper lip whose edge curves up toward the sides, shadowed
        // right under the lip and toward the corners, with faint gaps between the teeth.
        float dy = float(y) - yu;
        float h_u = teeth_h * (1.f - 0.45f * au * au);
        float side = 1.f - smoothstep(0.4f, 0.75f, au);
        if (own_teeth_.present()) {
          // The photo's own teeth, as tall as they show there at most, their incisal edge leading.
          float u01 = std::clamp((u + 1.f) / 2.f, 0.f, 1.f);
          h_u = std::min(h_u, own_teeth_.height(u01) * width);
          float band = teeth_vis * (1.f - smoothstep(0.55f, 0.9f, au)) * (1.f - smoothstep(h_u - 1.f, h_u + 0.5f, dy));
          cv::Vec3f own;
          float w = 0;
          if (band > 0) own_teeth_.sample(u01, (h_u - dy) / width, own, w);
          if (band * w > 0) {
            // In the mouth's shade (a parted mouth is darker inside than the photo's smile), darker
            // still right under the lip and toward the corners.
            float shade = 0.85f * (0.8f + 0.2f * smoothstep(-1.f, 0.3f * h_u, dy)) * (1.f - 0.4f * au * au);
            c = c * (1 - band * w) + own * (shade * band * w);
          }
        }
        float band = own_teeth_.present() ? 0.f : teeth_vis * side * (1.f - smoothstep(h_u - 1.f, h_u + 0.5f, dy));
        if (band > 0) {
          float shade = (0.8f + 0.2f * smoothstep(-1.f, 0.3f * h_u, dy)) * (1.f - 0.55f * au * au);
          float sep = 1.f;
          for (float g : kGaps) sep = std::min(sep, smoothstep(0.f, gap_w, std::abs(au - g)));
          shade *= g_teeth_sep(sep, au);
          c = c * (1 - band) + teeth_ * (shade * band);
        }
        float dl = yl - float(y);
        float lband = lower_vis * (1.f - smoothstep(0.3f, 0.55f, au)) * (1.f - smoothstep(lower_h - 1.f, lower_h + 0.5f, dl));
        if (lband > 0) c = c * (1 - lband) + teeth_ * (0.6f * lband);
      }
      auto& px = frame.at<cv::Vec3b>(box.y + y, box.x + x);
      for (int k = 0; k < 3; ++k) px[k] = cv::saturate_cast<uint8_t>(px[k] * (1 - a) + c[k] * a);
    }
  }
}

}  // namespace auhead::render::warp
