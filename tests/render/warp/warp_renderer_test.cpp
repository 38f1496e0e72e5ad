// The warp renderer against the acceptance checks, on the sample portrait.
#include <gtest/gtest.h>

#include <cmath>

#include <opencv2/imgproc.hpp>

#include "auhead/au_edit.h"
#include "render/warp/face_regions.h"
#include "render/portrait_scene.h"
#include "render/warp/warp_test_util.h"

namespace auhead::render::warp {
namespace {

using namespace test;

cv::Mat face_mask(const Framed& f) {
  std::vector<cv::Point> hull;
  std::vector<cv::Point> pts;
  for (auto p : f.face) pts.emplace_back(cvRound(p.x), cvRound(p.y));
  cv::convexHull(pts, hull);
  cv::Mat mask(f.framing.image.size(), CV_8U, cv::Scalar(0));
  cv::fillConvexPoly(mask, hull, cv::Scalar(255));
  return mask;
}

// Pixels in the mouth region that are much darker than the face: the open mouth.
double dark_mouth_area(const cv::Mat& frame, const Framed& f, double threshold) {
  cv::Point2f l = f.face[61], r = f.face[291], top = f.face[0], bottom = f.face[17];
  float h = bottom.y - top.y;
  cv::Rect roi(cvRound(l.x), cvRound(top.y), cvRound(r.x - l.x), cvRound(2.5f * h));
  roi &= cv::Rect(0, 0, frame.cols, frame.rows);
  cv::Mat grey;
  cv::cvtColor(frame(roi), grey, cv::COLOR_RGB2GRAY);
  return cv::countNonZero(grey < threshold);
}

double face_luma(const Framed& f) {
  cv::Mat grey;
  cv::cvtColor(f.framing.image, grey, cv::COLOR_RGB2GRAY);
  return cv::mean(grey, face_mask(f))[0];
}

TEST(WarpRenderer, AllAusZeroGivesThePortrait) {
  SKIP_WITHOUT_INPUTS();
  Framed f = framed();
  auto frames = render_warp(constant_aus(3));
  ASSERT_EQ(frames.size(), 3u);
  for (const auto& fr : frames) {
    ASSERT_EQ(fr.size(), cv::Size(512, 512));
    ASSERT_EQ(fr.type(), CV_8UC3);
    double p = psnr(fr, f.framing.image, face_mask(f));
    EXPECT_GE(p, 35.0);
  }
}

TEST(WarpRenderer, MouthOpeningFollowsJawDrop) {
  SKIP_WITHOUT_INPUTS();
  Framed f = framed();
  AuSequence aus = constant_aus(50);
  std::vector<double> jaw;
  for (int t = 0; t < 50; ++t) {
    float v = 0.5f - 0.5f * std::cos(2 * CV_PI * t / 25.0);  // 0 → 1 → 0, twice
    aus.frames[t][8] = v;
    aus.frames[t][29] = std::min(1.f, v * 1.5f);
    jaw.push_back(v);
  }
  auto frames = render_warp(aus);
  double thr = 0.45 * face_luma(f);
  double base = dark_mouth_area(f.framing.image, f, thr);
  std::vector<double> area;
  for (const auto& fr : frames) area.push_back(dark_mouth_area(fr, f, thr) - base);
  double r = pearson(jaw, area);
  EXPECT_GE(r, 0.8) << "mouth area vs jaw drop";
  EXPECT_GT(*std::max_element(area.begin(), area.end()), 200.0) << "the wide-open mouth shows a dark interior";
}

// Where a patch around `p` of frame a went in frame b (template matching), in pixels.
cv::Point2f patch_motion(const cv::Mat& a, const cv::Mat& b, cv::Point2f p, int half = 10, int search = 16) {
  cv::Rect tpl(cvRound(p.x) - half, cvRound(p.y) - half, 2 * half + 1, 2 * half + 1);
  cv::Rect win(tpl.x - search, tpl.y - search, tpl.width + 2 * search, tpl.height + 2 * search);
  cv::Mat res;
  cv::matchTemplate(b(win), a(tpl), res, cv::TM_CCOEFF_NORMED);
  cv::Point best;
  cv::minMaxLoc(res, nullptr, nullptr, nullptr, &best);
  return {float(best.x - search), float(best.y - search)};
}

TEST(WarpRenderer, HappyRaisesTheLipCorners) {
  SKIP_WITHOUT_INPUTS();
  Framed f = framed();
  AuSequence seq = constant_aus(1, emotion_prototype(Emotion::happy));
  cv::Mat neutral = f.framing.image;
  cv::Mat happy = render_warp(seq)[0];
  for (int corner : {61, 291}) {
    cv::Point2f m = patch_motion(neutral, happy, f.face[corner]);
    EXPECT_LE(m.y, -1.0f) << "lip corner " << corner << " moved by (" << m.x << ", " << m.y << ")";
  }
}

TEST(WarpRenderer, NoBlackOrFrozenFrames) {
  SKIP_WITHOUT_INPUTS();
  AuSequence aus = constant_aus(60);
  for (int t = 0; t < 60; ++t) {
    aus.frames[t][8] = 0.4f + 0.4f * float(std::sin(t * 0.7));
    aus.frames[t][11] = aus.frames[t][12] = 0.3f;
    if (t % 20 < 3) aus.frames[t][0] = aus.frames[t][1] = 1.f;
  }
  auto frames = render_warp(aus, 256, /*still=*/false, 7);
  ASSERT_EQ(frames.size(), 60u);
  for (std::size_t t = 0; t < frames.size(); ++t) {
    cv::Scalar mean, sd;
    cv::meanStdDev(frames[t], mean, sd);
    EXPECT_GT(mean[0] + mean[1] + mean[2], 60) << "frame " << t;
    EXPECT_GT(sd[0], 10) << "frame " << t;
    if (t > 0) {
      EXPECT_GT(cv::norm(frames[t], frames[t - 1], cv::NORM_L1), 0) << "frame " << t << " is frozen";
    }
  }
}

TEST(WarpRenderer, EveryEmotionRendersAndDiffers) {
  SKIP_WITHOUT_INPUTS();
  Framed f = framed(256);
  cv::Mat mask = face_mask(f);
  for (int e = 0; e < kNumEmotions; ++e) {
    auto frames = render_warp(constant_aus(1, emotion_prototype(Emotion(e))), 256);
    double p = psnr(frames[0], f.framing.image, mask);
    if (Emotion(e) == Emotion::neutral) {
      EXPECT_GE(p, 35) << emotion_name(Emotion(e));
    } else {
      EXPECT_LT(p, 45) << emotion_name(Emotion(e)) << " looks like the neutral portrait";
    }
  }
}

TEST(WarpRenderer, SameSeedSameVideoStillIsStill) {
  SKIP_WITHOUT_INPUTS();
  AuSequence aus = constant_aus(12);
  auto a = render_warp(aus, 128, false, 3), b = render_warp(aus, 128, false, 3), s = render_warp(aus, 128, true);
  for (std::size_t t = 0; t < a.size(); ++t) EXPECT_EQ(cv::norm(a[t], b[t], cv::NORM_L1), 0);
  for (std::size_t t = 1; t < s.size(); ++t) EXPECT_EQ(cv::norm(s[t], s[0], cv::NORM_L1), 0);
}

}  // namespace
}  // namespace auhead::render::warp
