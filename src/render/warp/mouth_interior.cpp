#include "render/warp/mouth_interior.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include <opencv2/imgproc.hpp>
#include <opencv2/photo.hpp>

#include "core/smoothstep.h"
#include "geometry/similarity_2d.h"
#include "render/warp/face_regions.h"
#include "render/warp/light_cast.h"
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
float g_teeth_sep(float sep, float au) { return 1.f - 0.07f * (1.f - sep) * (1.f - smoothstep(0.25f, 0.5f, au)); }

}  // namespace

float MouthInterior::lip_gap(const std::vector<cv::Point2f>& face) {
  // Along the mouth's own vertical (perpendicular to its corners' line); lips pressed past each other
  // (a neutralised portrait's meeting lips can overlap) count as closed, not as apart.
  const cv::Point2f across = face[kInnerLips.upper.back()] - face[kInnerLips.upper.front()];
  const float len = float(cv::norm(across));
  const cv::Point2f down = len > 1e-3f ? cv::Point2f(-across.y, across.x) / len : cv::Point2f(0, 1);
  float sum = 0;
  int n = 0;
  for (std::size_t i = 2; i + 2 < kInnerLips.upper.size(); ++i) {
    sum += std::max(0.f, (face[kInnerLips.lower[i]] - face[kInnerLips.upper[i]]).dot(down));
    ++n;
  }
  return sum / n;
}

void MouthInterior::erase_teeth(cv::Mat& framed, const std::vector<cv::Point2f>& face, const cv::Vec3f& white) {
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
  cv::cvtColor(under_white_light(roi, white), lab, cv::COLOR_RGB2Lab);
  cv::Mat in_outer(box.size(), CV_8U, cv::Scalar(0)), in_inner(box.size(), CV_8U, cv::Scalar(0));
  cv::fillPoly(in_outer, std::vector<std::vector<cv::Point>>{outer}, cv::Scalar(255));
  cv::fillPoly(in_inner, std::vector<std::vector<cv::Point>>{inner}, cv::Scalar(255));
  cv::Mat band = in_outer & ~in_inner;
  // The lips' own colour (Lab, 8-bit scale: a and b offset by 128): the band's median-ish mean.
  const cv::Scalar lip = cv::mean(lab, band);
  // Teeth: lighter than the lips and without their hue, anywhere in the mouth; plus everything
  // between the lips.
  cv::Mat mask = in_inner.clone();
  int teeth = 0;
  for (int y = 0; y < box.height; ++y)
    for (int x = 0; x < box.width; ++x) {
      if (!in_outer.at<uint8_t>(y, x)) continue;
      if (teeth_likeness(lab.at<cv::Vec3b>(y, x), lip) > 0.5f) {
        mask.at<uint8_t>(y, x) = 255;
        ++teeth;
      }
    }
  if (teeth < 4 && lip_gap(face) < 1.f) return;  // closed lips, no teeth: nothing to do
  cv::dilate(mask, mask, cv::Mat(), cv::Point(-1, -1), 1);
  cv::Mat filled;
  cv::inpaint(roi, mask, filled, std::max(2.0, box.width / 20.0), cv::INPAINT_TELEA);
  // Inpainting over a whole row of teeth leaves streaks where its fronts meet (light dots along the
  // seam once the mouth is closed): what it filled is smoothed (the blur also takes in the lips just
  // outside, so the edge stays soft).
  cv::Mat smooth;
  cv::GaussianBlur(filled, smooth, cv::Size(0, 0), std::max(1.0, 0.03 * double(box.width - 2 * pad)));
  smooth.copyTo(roi, mask);
}

MouthInterior::MouthInterior(const cv::Mat& framed, const std::vector<cv::Point2f>& face, bool lips_closed_at_rest,
                             OwnTeeth own_teeth, cv::Vec3f white, const std::vector<cv::Point2f>& rest)
    : rest_(rest.size() == face.size() ? rest : face), own_teeth_(std::move(own_teeth)) {
  own_gap_ = lip_gap(face);
  // Closed at rest: the interior shows as far as the lips part beyond the rest face's (neutralisation
  // brings the lips together in the mesh; what is left is the lips' own thickness, not an opening).
  source_gap_ = lips_closed_at_rest ? lip_gap(rest_) : own_gap_;
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
  // Under the photo's light: the white reference's cast.
  // Half of it on the teeth: a sclera is a little pink, and what a small eye shows of it is blurred
  // with the lid's skin, so its cast reads warmer than the light (at full strength a warm-lit face's
  // teeth took the skin's beige).
  const cv::Vec3f cast = light_cast(white), half_cast = (cast + cv::Vec3f(1, 1, 1)) * 0.5f;
  teeth_ = cv::Vec3f(228, 214, 190).mul(half_cast) * std::min(0.92f, std::sqrt(light));  // teeth stay light in a dim photo
  tongue_ = cv::Vec3f(165, 60, 66) * (0.6f * light) + lip * 0.15f;
  gum_ = lip * 0.7f + cv::Vec3f(190, 95, 105).mul(cast) * (0.25f * light);
  if (own_teeth_.present()) {  // drawn teeth of the photo's own teeth's colour, where its strip ends
    cv::Vec3f sum{}, c;
    float n = 0, w = 0;
    for (int k = 0; k < 16; ++k) {
      own_teeth_.sample((float(k) + 8.5f) / 32.f, 0.5f * own_teeth_.height((float(k) + 8.5f) / 32.f), c, w);
      sum += c * w, n += w;
    }
    if (n > 1) teeth_ = sum / n;
  }
  // The rest face's vertical: perpendicular to its eye line. The upper incisal edge at rest: where the
  // photo shows it, else at the rest face's stomion (lips that meet cover it).
  const cv::Point2f eyes = rest_[263] - rest_[33];
  const float eye_len = std::max(1e-3f, float(cv::norm(eyes)));
  rest_down_ = cv::Point2f(-eyes.y, eyes.x) / eye_len;
  const float rest_width = float(cv::norm(rest_[308] - rest_[78]));
  if (own_teeth_.present())
    rest_upper_edge_ = face[13] + rest_down_ * (own_teeth_.height(0.5f) * float(cv::norm(face[308] - face[78])));
  else
    rest_upper_edge_ = (rest_[13] + rest_[14]) * 0.5f + rest_down_ * (0.01f * rest_width);
}

MouthInterior::TeethPlacement MouthInterior::place_teeth(const std::vector<cv::Point2f>& face, const AuFrame& aus) const {
  // The skull's motion from rest: a similarity fitted to the eye corners and the nose bridge.
  static constexpr int kRigid[] = {33, 263, 133, 362, 168, 6, 197, 195};
  std::vector<cv::Point2f> from, to;
  for (int i : kRigid) from.push_back(rest_[std::size_t(i)]), to.push_back(face[std::size_t(i)]);
  const cv::Matx23f skull = geometry::fit_similarity_2d(from, to);
  auto rigid = [&](cv::Point2f p) { return cv::Point2f(skull * cv::Vec3f(p.x, p.y, 1.f)); };
  // Its rotation alone (scale·cos, scale·sin in the first column).
  const float a = skull(0, 0), b = skull(1, 0), scale = std::max(1e-6f, std::hypot(a, b));
  TeethPlacement t;
  t.iod = float(cv::norm(face[263] - face[33]));
  t.down = cv::Point2f(a * rest_down_.x - b * rest_down_.y, b * rest_down_.x + a * rest_down_.y) / scale;
  const cv::Point2f corners = face[308] - face[78];
  const float cw = std::max(1e-3f, float(cv::norm(corners)));
  t.across = corners / cw;
  t.upper_edge = rigid(rest_upper_edge_);
  // The lower row rides on the jaw: the chin's drop from its rest place (the incisors sit nearer the
  // hinge than the chin: 0.85 of it), starting 0.04 inter-ocular distances above the upper edge.
  const float jaw = (face[152] - rigid(rest_[152])).dot(t.down);
  float drop = -0.04f * t.iod + 0.85f * std::max(0.f, jaw);
  const float lower_lip = (face[14] - t.upper_edge).dot(t.down);
  const float uncovered = (0.02f + 0.1f * aus[19] + 0.02f * (aus[13] + aus[14])) * t.iod;  // AU16, AU20
  drop = std::max(drop, lower_lip - uncovered);
  t.lower_edge = t.upper_edge + t.down * drop;
  return t;
}

void MouthInterior::compose(cv::Mat& frame, const std::vector<cv::Point2f>& face, const AuFrame& aus) const {
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
  float half_w = std::max(2.f, float(cv::norm(right - left)) / 2);
  float width = 2 * half_w;
  float open_rel = gap / width;  // ~0.5 for a wide-open mouth
  float tongue_vis = smoothstep(0.1f, 0.3f, open_rel);
  // The teeth: the upper row fixed to the skull, the lower row moving with the jaw (TeethPlacement);
  // they show wherever the lips uncover them, so a raised upper lip over a closed jaw bares clenched
  // teeth and a dropped jaw opens the gap between the rows. A sliver of an opening stays dark.
  const TeethPlacement teeth = place_teeth(face, aus);
  const float teeth_vis = smoothstep(0.01f, 0.04f, open_rel);
  // Light reaches into a narrow opening only a little: teeth behind barely parted lips are in shade.
  const float opening_light = 0.85f + 0.15f * smoothstep(0.03f, 0.2f, open_rel);
  // The lower row is in the upper row's and the upper lip's shade, unless a lowered or stretched lower
  // lip (AU16, AU20) turns it to the light: a grimace of fear shows lower teeth nearly as light as the
  // upper ones, not a grey slab.
  const float lower_light = 0.6f + 0.3f * std::min(1.f, aus[19] + 0.25f * (aus[13] + aus[14]));
  const float crown_u = kUpperCrown * teeth.iod, crown_l = kLowerCrown * teeth.iod;
  const float arch_u = 0.06f * width, arch_l = 0.04f * width;  // the incisal edges rise toward the corners
  // Tooth boundaries across the arch (fractions of the half width): incisors wider than the rest.
  static constexpr float kGaps[] = {0.f, 0.2f, 0.37f, 0.52f, 0.66f, 0.79f};
  const float gap_w = std::max(0.02f, 0.6f / half_w);  // about 0.6 px
  auto path_y = [&](const std::array<int, 11>& path, float x) {  // the lip line's y at column x of the box
    return line_y_at(path, face, x + float(box.x)) - float(box.y);
  };

  for (int x = 0; x < box.width; ++x) {
    float yu = path_y(kInnerLips.upper, float(x)), yl = path_y(kInnerLips.lower, float(x));
    bool lines = std::isfinite(yu) && std::isfinite(yl) && yl > yu;
    float h = lines ? yl - yu : 1.f;
    for (int y = 0; y < box.height; ++y) {
      // The opening tapers into the corners through the lips' own shadow, not to black points.
      const cv::Point2f p(float(box.x + x) + 0.5f, float(box.y + y) + 0.5f);
      const float u = std::clamp((p - teeth.upper_edge).dot(teeth.across) / half_w, -1.5f, 1.5f);  // -1 .. 1 across the mouth
      const float au = std::abs(u);
      float a = alpha.at<uint8_t>(y, x) / 255.f * opacity * (1.f - 0.6f * smoothstep(0.7f, 1.f, au));
      if (a <= 0) continue;
      const float corner = 1.f - 0.5f * std::pow(std::min(au, 1.f), 3.f);
      float v = lines ? std::clamp((float(y) - yu) / h, 0.f, 1.f) : 0.5f;
      float to_lip = smoothstep(0.6f, 1.f, au);
      cv::Vec3f c = cavity_ * ((0.55f + 0.6f * v) * corner * (1 - to_lip)) + seam_ * to_lip;
      if (lines) {
        // Tongue: a soft ellipse rising from the bottom, lit from the front.
        float tu = u / 0.7f, tv = (1.f - v) / 0.5f;
        float d = tu * tu + tv * tv;
        float tongue = tongue_vis * smoothstep(1.f, 0.6f, d);
        c = c * (1 - tongue) + tongue_ * (tongue * corner * (0.75f + 0.25f * (1.f - d)));
        const float below_lip = float(y) - yu;  // pixels under the upper lip's inner edge
        const float side = teeth_vis * (1.f - smoothstep(0.45f, 0.8f, au));
        float sep = 1.f;
        for (float g : kGaps) sep = std::min(sep, smoothstep(0.f, gap_w, std::abs(au - g)));
        // Lower row (drawn first: the upper row overlaps it when the jaw is closed). `down`: how far
        // below the row's incisal edge, along the face's vertical.
        const float down_l = (p - teeth.lower_edge).dot(teeth.down) + arch_l * u * u;
        const float lower = side * smoothstep(-1.f, 0.5f, down_l) * (1.f - smoothstep(crown_l - 1.f, crown_l + 1.f, down_l));
        const float gum_l = side * smoothstep(crown_l - 1.f, crown_l + 1.f, down_l);
        if (gum_l > 0) c = c * (1 - gum_l) + gum_ * (gum_l * corner * 0.7f);
        if (lower > 0) {
          const float shade = lower_light * opening_light * (1.f - 0.55f * au * au) * g_teeth_sep(sep, au);
          c = c * (1 - lower) + teeth_ * (shade * lower);
        }
        // Upper row: from its incisal edge up to the gums; shadowed right under the lip.
        const float up_u = -(p - teeth.upper_edge).dot(teeth.down) - arch_u * u * u;  // above the edge
        const float upper = side * smoothstep(-1.f, 0.5f, up_u) * (1.f - smoothstep(crown_u - 1.f, crown_u + 1.f, up_u));
        const float gum_u = side * smoothstep(crown_u - 1.f, crown_u + 1.f, up_u);
        if (gum_u > 0) c = c * (1 - gum_u) + gum_ * (gum_u * corner * 0.85f);
        if (upper > 0) {
          const float lip_shadow = 0.85f + 0.15f * smoothstep(-1.f, 0.25f * crown_u, below_lip);
          float shade = opening_light * lip_shadow * (1.f - 0.5f * au * au);
          cv::Vec3f tooth = teeth_ * g_teeth_sep(sep, au);
          if (own_teeth_.present()) {
            // The photo's own teeth, their incisal edge on the row's edge, as tall as they show there;
            // drawn teeth of their colour above that.
            cv::Vec3f own;
            float w = 0;
            const float u01 = std::clamp((u + 1.f) / 2.f, 0.f, 1.f), shown = own_teeth_.height(u01) * width;
            own_teeth_.sample(u01, up_u / width, own, w);
            w *= 1.f - smoothstep(0.6f * shown, shown, up_u);  // no seam where the photo's teeth end
            tooth = tooth * (1 - w) + own * (0.92f * w);
          }
          c = c * (1 - upper) + tooth * (shade * upper);
        }
      }
      auto& px = frame.at<cv::Vec3b>(box.y + y, box.x + x);
      for (int k = 0; k < 3; ++k) px[k] = cv::saturate_cast<uint8_t>(px[k] * (1 - a) + c[k] * a);
    }
  }
}

}  // namespace auhead::render::warp
