// The mouth interior's teeth (issue #14, item 3): the upper row stays with the skull, the lower row
// rides on the jaw and shows above the lower lip only as far as the lip uncovers it; a raised upper
// lip over a closed jaw bares light teeth, a dropped jaw opens a dark gap between the rows.
#include <gtest/gtest.h>

#include <cmath>

#include <opencv2/imgproc.hpp>

#include "render/warp/face_regions.h"
#include "render/warp/mouth_interior.h"
#include "render/warp/warp_test_util.h"

namespace auhead::render::warp {
namespace {

using namespace test;

// The face turned by `degrees` about `centre` and moved by `shift`.
std::vector<cv::Point2f> moved(const std::vector<cv::Point2f>& face, float degrees, cv::Point2f centre, cv::Point2f shift) {
  const float c = std::cos(degrees * float(CV_PI) / 180), s = std::sin(degrees * float(CV_PI) / 180);
  std::vector<cv::Point2f> out;
  for (auto p : face) {
    p -= centre;
    out.push_back(centre + shift + cv::Point2f(c * p.x - s * p.y, s * p.x + c * p.y));
  }
  return out;
}

TEST(MouthTeeth, TheUpperRowMovesWithTheSkull) {
  SKIP_WITHOUT_INPUTS();
  Framed f = framed();
  MouthInterior mouth(f.framing.image, f.face);
  const auto rest = mouth.place_teeth(f.face);
  EXPECT_GT(rest.iod, 50.f);
  EXPECT_NEAR(cv::norm(rest.down), 1.0, 1e-4);
  EXPECT_GT(rest.down.y, 0.9f) << "an upright portrait's down is the image's";
  EXPECT_LT(rest.lower_edge.y, rest.upper_edge.y) << "at rest the lower row hides behind the upper one";
  // The whole head turned by 8 degrees and moved: both rows go with it.
  const cv::Point2f centre(256, 256), shift(12, -5);
  const auto turned = mouth.place_teeth(moved(f.face, 8, centre, shift));
  const auto expected = moved({rest.upper_edge, rest.lower_edge}, 8, centre, shift);
  EXPECT_LT(cv::norm(turned.upper_edge - expected[0]), 0.5);
  EXPECT_LT(cv::norm(turned.lower_edge - expected[1]), 0.5);
  const auto down = moved({rest.down}, 8, {0, 0}, {0, 0})[0];
  EXPECT_LT(cv::norm(turned.down - down), 1e-3);
  // A raised upper lip (AU10) leaves the teeth where they are.
  std::vector<cv::Point2f> lifted = f.face;
  for (int i : kInnerLips.upper) lifted[std::size_t(i)].y -= 6;
  for (int i : kOuterLips.upper) lifted[std::size_t(i)].y -= 6;
  EXPECT_LT(cv::norm(mouth.place_teeth(lifted).upper_edge - rest.upper_edge), 0.01);
}

TEST(MouthTeeth, TheLowerRowRidesOnTheJawAndHidesBehindTheLowerLip) {
  SKIP_WITHOUT_INPUTS();
  Framed f = framed();
  MouthInterior mouth(f.framing.image, f.face);
  const auto rest = mouth.place_teeth(f.face);
  // The jaw dropped 20 px: the chin and the lower lip with it.
  std::vector<cv::Point2f> open = f.face;
  const float stomion = f.face[14].y;
  for (auto& p : open)
    if (p.y >= stomion - 0.5f) p.y += 20;
  const auto dropped = mouth.place_teeth(open);
  EXPECT_LT(cv::norm(dropped.upper_edge - rest.upper_edge), 0.01) << "the upper row stays";
  EXPECT_GT(dropped.lower_edge.y - rest.lower_edge.y, 0.85f * 20 - 0.5f) << "the lower row goes down with the jaw";
  const float shown = open[14].y - dropped.lower_edge.y;  // lower teeth above the lower lip
  EXPECT_LE(shown, 0.02f * dropped.iod + 0.5f);
  // The lower lip pulled down (AU16) over the same jaw uncovers more of them.
  AuFrame depress{};
  depress[19] = 1.f;
  std::vector<cv::Point2f> pulled = open;
  for (int i : kInnerLips.lower) pulled[std::size_t(i)].y += 8;
  const auto uncovered = mouth.place_teeth(pulled, depress);
  const float shown_more = pulled[14].y - uncovered.lower_edge.y;
  EXPECT_GT(shown_more, shown + 5.f);
  EXPECT_LE(shown_more, 0.12f * uncovered.iod + 0.5f);
}

// Light and dark pixels inside the frame's inner-lip opening (relative to the face's mean luma).
std::pair<double, double> opening_light_dark(const cv::Mat& frame) {
  auto r = face::FaceAnalyzer::shared().analyze(frame, "frame");
  std::vector<cv::Point> poly;
  for (int i : kInnerLips.upper) poly.emplace_back(cvRound(r.landmarks[i].x), cvRound(r.landmarks[i].y));
  for (auto it = kInnerLips.lower.rbegin() + 1; it + 1 != kInnerLips.lower.rend(); ++it)
    poly.emplace_back(cvRound(r.landmarks[*it].x), cvRound(r.landmarks[*it].y));
  cv::Mat mask(frame.size(), CV_8U, cv::Scalar(0)), grey;
  cv::fillPoly(mask, std::vector<std::vector<cv::Point>>{poly}, cv::Scalar(255));
  cv::erode(mask, mask, cv::Mat());
  cv::cvtColor(frame, grey, cv::COLOR_RGB2GRAY);
  const double n = std::max(1, cv::countNonZero(mask));
  std::vector<cv::Point> hull;
  std::vector<cv::Point> pts;
  for (const auto& p : r.landmarks) pts.emplace_back(cvRound(p.x), cvRound(p.y));
  cv::convexHull(pts, hull);
  cv::Mat face_mask(frame.size(), CV_8U, cv::Scalar(0));
  cv::fillConvexPoly(face_mask, hull, cv::Scalar(255));
  const double face = cv::mean(grey, face_mask)[0];
  return {cv::countNonZero((grey > 0.9 * face) & mask) / n, cv::countNonZero((grey < 0.4 * face) & mask) / n};
}

TEST(MouthTeeth, BaredTeethAreLightAndADroppedJawIsDark) {
  SKIP_WITHOUT_INPUTS();
  AuFrame snarl{};
  snarl[18] = 1.f;   // upper-lip raise
  snarl[29] = 0.6f;  // lips part, jaw closed
  AuFrame gape{};
  gape[8] = 1.f;  // jaw drop
  gape[29] = 1.f;
  const auto [snarl_light, snarl_dark] = opening_light_dark(render_warp(constant_aus(1, snarl))[0]);
  const auto [gape_light, gape_dark] = opening_light_dark(render_warp(constant_aus(1, gape))[0]);
  EXPECT_GT(snarl_light, 0.4) << "a raised upper lip over a closed jaw bares the teeth";
  EXPECT_LT(snarl_dark, 0.3);
  EXPECT_GT(gape_dark, 0.3) << "between the rows of a dropped jaw: the dark of the mouth";
  EXPECT_LT(gape_light, snarl_light);
}

// Fear's grimace: the lips stretched wide and the lower lip pulled down over a jaw barely open show
// the lower teeth in the light, not a grey slab under the upper row.
TEST(MouthTeeth, AGrimaceShowsLightLowerTeeth) {
  SKIP_WITHOUT_INPUTS();
  AuFrame grimace{};
  grimace[13] = grimace[14] = 1.f;  // lip-corner stretch
  grimace[19] = 1.f;                // lower-lip depress
  grimace[29] = 1.f;                // lips part
  grimace[8] = 0.2f;                // jaw drop
  const auto [light, dark] = opening_light_dark(render_warp(constant_aus(1, grimace))[0]);
  EXPECT_GT(light, 0.5) << "most of the opening is lit teeth";
  EXPECT_LT(dark, 0.25);
}

}  // namespace
}  // namespace auhead::render::warp
