// Fold shading: the data file's checks, weights, and what compose() does to pixels.
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "auhead/error.h"
#include "render/warp/fold_shading.h"
#include "render/warp/warp_test_util.h"

namespace auhead::render::warp {
namespace {

// 468 points on a grid; 33 and 263 (the eye corners) 100 px apart.
std::vector<cv::Point2f> grid_face() {
  std::vector<cv::Point2f> f(468);
  for (int i = 0; i < 468; ++i) f[i] = {float(20 + (i % 22) * 8), float(20 + (i / 22) * 8)};
  f[33] = {50, 60};
  f[263] = {150, 60};
  f[1] = {60, 120};
  f[2] = {140, 120};
  f[3] = {100, 150};
  return f;
}

const char* kOneCrease = R"({"folds": [
  {"name": "line", "aus": {"brow_lower_left": 1.0}, "path": [1, [1, 2, 0.5], 2], "width": 0.04, "blur": 0.02,
   "dark": 0.5, "light": 0.2, "light_offset": 0.08},
  {"name": "patch", "type": "texture", "aus": {"chin_raise": 1.0}, "onset": 0.2, "path": [3], "radius_x": 0.2,
   "radius_y": 0.1, "dark": 0.4}]})";

TEST(FoldShading, ParsesAndRejectsBadFiles) {
  FoldSet s = FoldSet::parse(kOneCrease, "t.json");
  ASSERT_EQ(s.folds.size(), 2u);
  EXPECT_EQ(s.folds[0].path.size(), 3u);
  EXPECT_FLOAT_EQ(s.folds[0].path[1].t, 0.5f);
  EXPECT_TRUE(s.folds[1].texture);
  for (const char* bad : {R"({"folds": 1})", R"({"folds": [{"name": "x", "aus": {"nope": 1}, "path": [1, 2]}]})",
                          R"({"folds": [{"name": "x", "aus": {"jaw_drop": 1}, "path": [1]}]})",
                          R"({"folds": [{"name": "x", "aus": {"jaw_drop": 1}, "path": [1, 999]}]})",
                          R"({"folds": [{"name": "x", "aus": {"jaw_drop": 1}, "path": [1, 2], "dark": 2}]})", "{"}) {
    try {
      FoldSet::parse(bad, "bad.json");
      ADD_FAILURE() << bad;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("bad.json"), std::string::npos) << e.what();
    }
  }
}

TEST(FoldShading, AMirroredFoldGetsTheOtherSide) {
  std::vector<int> mirror(468);
  for (int i = 0; i < 468; ++i) mirror[i] = 467 - i;
  FoldSet s = FoldSet::parse(R"({"folds": [{"name": "f", "mirror": true, "aus": {"brow_lower_left": 1, "chin_raise": 0.5},
      "path": [10, [20, 30, 0.25]], "light": 0.1, "light_offset": 0.05}]})", "m.json", mirror);
  ASSERT_EQ(s.folds.size(), 2u);
  const Fold &l = s.folds[0], &r = s.folds[1];
  EXPECT_EQ(l.name, "f_left");
  EXPECT_EQ(r.name, "f_right");
  EXPECT_EQ(r.aus[0].first, *find_au("brow_lower_right"));
  EXPECT_EQ(r.aus[1].first, *find_au("chin_raise"));
  EXPECT_EQ(r.path[0].a, 457);
  EXPECT_EQ(r.path[1].a, 447);
  EXPECT_EQ(r.path[1].b, 437);
  EXPECT_FLOAT_EQ(r.path[1].t, 0.25f);
  EXPECT_FLOAT_EQ(r.light_offset, -0.05f);
  EXPECT_THROW(FoldSet::parse(R"({"folds": [{"name": "f", "mirror": true, "aus": {"jaw_drop": 1}, "path": [1, 2]}]})", "m.json"),
               Error);
}

// A shadow (flatten false) darkens like a crease but is not faded from a neutralised portrait.
TEST(FoldShading, AShadowIsNotFlattened) {
  const char* json = R"({"folds": [{"name": "s", "aus": {"brow_lower_left": 1.0}, "path": [1, 2], "flatten": false,
      "width": 0.04, "dark": 0.5}]})";
  FoldSet s = FoldSet::parse(json, "s.json");
  ASSERT_EQ(s.folds.size(), 1u);
  EXPECT_FALSE(s.folds[0].flatten);
  EXPECT_TRUE(FoldSet::parse(kOneCrease, "t.json").folds[0].flatten);
  EXPECT_THROW(FoldSet::parse(R"({"folds": [{"name": "s", "aus": {"jaw_drop": 1}, "path": [1, 2], "flatten": 1}]})", "s.json"),
               Error);
  // A dark band on the path of a portrait whose own AUs make the fold: a crease fades, a shadow stays.
  cv::Mat base(200, 200, CV_8UC3, cv::Scalar(160, 120, 100));
  cv::line(base, {60, 120}, {140, 120}, cv::Scalar(80, 60, 50), 3);
  AuFrame own{};
  own[4] = 1.f;
  cv::Mat shadow = base.clone();
  FoldShading(s).flatten(shadow, grid_face(), own);
  EXPECT_EQ(cv::norm(shadow, base, cv::NORM_INF), 0);
  FoldSet crease = s;
  crease.folds[0].flatten = true;
  cv::Mat faded = base.clone();
  FoldShading(crease).flatten(faded, grid_face(), own);
  EXPECT_GT(faded.at<cv::Vec3b>(120, 100)[0], base.at<cv::Vec3b>(120, 100)[0] + 20);
}

TEST(FoldShading, TheStandardFileLoadsAndNamesEveryFoldTheIssueAsksFor) {
  const FoldSet& s = FoldSet::standard();
  for (const char* name : {"nasolabial", "forehead", "glabella", "crow", "chin", "nose_bridge", "brow_shadow"}) {
    bool found = false;
    for (const Fold& f : s.folds) found |= f.name.find(name) != std::string::npos;
    EXPECT_TRUE(found) << name;
  }
}

TEST(FoldShading, WeightIsClampedAndStartsAtTheOnset) {
  FoldSet s = FoldSet::parse(kOneCrease, "t.json");
  AuFrame a{};
  EXPECT_EQ(FoldShading::weight(s.folds[1], a), 0.f);
  a[20] = 0.2f;  // chin_raise at the onset
  EXPECT_NEAR(FoldShading::weight(s.folds[1], a), 0.f, 1e-6);
  a[20] = 0.6f;
  EXPECT_NEAR(FoldShading::weight(s.folds[1], a), 0.5f, 1e-6);
  a[4] = 3.f;
  EXPECT_EQ(FoldShading::weight(s.folds[0], a), 1.f);
}

TEST(FoldShading, DarkensTheCreaseLightensBesideItAndLeavesTheRest) {
  FoldSet s = FoldSet::parse(kOneCrease, "t.json");
  FoldShading shading(s);
  cv::Mat base(200, 200, CV_8UC3, cv::Scalar(160, 120, 100));
  auto face = grid_face();

  cv::Mat none = base.clone();
  shading.compose(none, face, AuFrame{});
  EXPECT_EQ(cv::norm(none, base, cv::NORM_INF), 0) << "zero AUs change nothing";

  AuFrame a{};
  a[4] = 0.5f;
  cv::Mat half = base.clone();
  shading.compose(half, face, a);
  a[4] = 1.f;
  cv::Mat full = base.clone();
  shading.compose(full, face, a);
  // On the crease (y = 120): darker, more so at intensity 1, colour ratios kept (multiplicative).
  cv::Vec3b c_half = half.at<cv::Vec3b>(120, 100), c_full = full.at<cv::Vec3b>(120, 100);
  EXPECT_LT(c_full[0], c_half[0]);
  EXPECT_LT(c_half[0], 160);
  EXPECT_NEAR(double(c_full[0]) / c_full[2], 1.6, 0.05);
  // The bulge: the path runs +x, its left normal is −y (up in the image): lighter 8 px above.
  EXPECT_GT(full.at<cv::Vec3b>(112, 100)[0], 160);
  // Far away: untouched.
  EXPECT_EQ(full.at<cv::Vec3b>(20, 20), base.at<cv::Vec3b>(20, 20));
  EXPECT_EQ(full.at<cv::Vec3b>(190, 190), base.at<cv::Vec3b>(190, 190));

  // The texture patch at 3 (100, 150): some pixels darker, some lighter, none outside its radius.
  a = AuFrame{};
  a[20] = 1.f;
  cv::Mat chin = base.clone();
  shading.compose(chin, face, a);
  double lo = 255, hi = 0;
  for (int y = 141; y < 160; ++y)
    for (int x = 81; x < 120; ++x) lo = std::min(lo, double(chin.at<cv::Vec3b>(y, x)[0])), hi = std::max(hi, double(chin.at<cv::Vec3b>(y, x)[0]));
  EXPECT_LT(lo, 155);
  EXPECT_GT(hi, 165);
  EXPECT_EQ(chin.at<cv::Vec3b>(150, 60), base.at<cv::Vec3b>(150, 60));
}

}  // namespace
}  // namespace auhead::render::warp
