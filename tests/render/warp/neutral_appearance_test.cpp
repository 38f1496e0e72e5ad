// Neutralisation in appearance (issue #13 item 3, #14): a smiling portrait's teeth are filled from
// its lips and its smile folds fade, so a neutral render of an open smile shows closed lips; the
// parts on synthetic images, then the renderer on the bundled smiling portrait.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include <opencv2/imgproc.hpp>

#include "build_config.h"
#include "face/face_analyzer.h"
#include "media/image_io.h"
#include "render/renderer.h"
#include "render/warp/eye_opening.h"
#include "render/warp/face_regions.h"
#include "render/warp/fold_shading.h"
#include "render/warp/mouth_interior.h"

namespace auhead::render::warp {
namespace {

// 468 points parked far from the mouth; the lip lines on ellipses around (100, 100).
std::vector<cv::Point2f> mouth_face(float outer_h, float inner_h) {
  std::vector<cv::Point2f> f(468, cv::Point2f(5, 5));
  auto place = [&](const std::array<int, 11>& path, float half_h, bool upper) {
    for (std::size_t i = 0; i < path.size(); ++i) {
      float t = float(i) / (path.size() - 1), a = float(CV_PI) * t;
      f[path[i]] = {100 - 40 * std::cos(a), 100 + (upper ? -1 : 1) * half_h * std::sin(a)};
    }
  };
  place(kOuterLips.upper, outer_h, true);
  place(kOuterLips.lower, outer_h, false);
  place(kInnerLips.upper, inner_h, true);
  place(kInnerLips.lower, inner_h, false);
  return f;
}

int bright_grey(const cv::Mat& rgb, cv::Rect r) {
  int n = 0;
  for (int y = r.y; y < r.y + r.height; ++y)
    for (int x = r.x; x < r.x + r.width; ++x) {
      auto c = rgb.at<cv::Vec3b>(y, x);
      n += c[0] > 200 && c[1] > 200 && c[2] > 190;
    }
  return n;
}

TEST(NeutralAppearance, TeethAreFilledFromTheLips) {
  cv::Mat img(200, 200, CV_8UC3, cv::Scalar(215, 170, 150));  // skin
  auto face = mouth_face(22, 9);
  std::vector<cv::Point> outer, inner;
  for (int i : kOuterLips.upper) outer.emplace_back(cvRound(face[i].x), cvRound(face[i].y));
  for (auto it = kOuterLips.lower.rbegin(); it != kOuterLips.lower.rend(); ++it)
    outer.emplace_back(cvRound(face[*it].x), cvRound(face[*it].y));
  for (int i : kInnerLips.upper) inner.emplace_back(cvRound(face[i].x), cvRound(face[i].y));
  for (auto it = kInnerLips.lower.rbegin(); it != kInnerLips.lower.rend(); ++it)
    inner.emplace_back(cvRound(face[*it].x), cvRound(face[*it].y));
  cv::fillPoly(img, std::vector<std::vector<cv::Point>>{outer}, cv::Scalar(170, 70, 80));  // lips
  cv::fillPoly(img, std::vector<std::vector<cv::Point>>{inner}, cv::Scalar(245, 240, 230));  // teeth
  cv::rectangle(img, cv::Rect(90, 84, 20, 5), cv::Scalar(245, 240, 230), -1);  // a sliver in the upper lip
  cv::Mat before = img.clone();
  ASSERT_GT(bright_grey(img, cv::Rect(55, 70, 90, 60)), 300);
  MouthInterior::erase_teeth(img, face);
  EXPECT_EQ(bright_grey(img, cv::Rect(55, 70, 90, 60)), 0) << "teeth left in the mouth";
  // The filled mouth has the lips' colour; skin away from the mouth is untouched.
  cv::Vec3b c = img.at<cv::Vec3b>(100, 100);
  EXPECT_NEAR(c[0], 170, 25);
  EXPECT_NEAR(c[1], 70, 25);
  EXPECT_EQ(cv::norm(img(cv::Rect(0, 0, 200, 40)), before(cv::Rect(0, 0, 200, 40)), cv::NORM_INF), 0);

  // The same mouth under a red light (the teeth pink): with the eyes' white given, the sliver of teeth
  // in the upper lip is still found and filled.
  const cv::Scalar cast(1.25, 0.75, 0.9);
  cv::Mat red;
  cv::multiply(before, cast, red);
  const cv::Rect sliver(92, 85, 16, 3);
  auto light_in_sliver = [&](const cv::Mat& m) {
    int n = 0;
    for (int y = sliver.y; y < sliver.br().y; ++y)
      for (int x = sliver.x; x < sliver.br().x; ++x) n += m.at<cv::Vec3b>(y, x)[1] > 150;
    return n;
  };
  ASSERT_EQ(light_in_sliver(red), sliver.area());
  MouthInterior::erase_teeth(red, face, cv::Vec3f(220 * 1.25f, 220 * 0.75f, 220 * 0.9f));
  EXPECT_EQ(light_in_sliver(red), 0) << "teeth under a red light left in the lip";

  // Closed lips without teeth: nothing changes.
  cv::Mat closed(200, 200, CV_8UC3, cv::Scalar(215, 170, 150));
  auto shut = mouth_face(22, 0);
  std::vector<cv::Point> o2;
  for (int i : kOuterLips.upper) o2.emplace_back(cvRound(shut[i].x), cvRound(shut[i].y));
  for (auto it = kOuterLips.lower.rbegin(); it != kOuterLips.lower.rend(); ++it)
    o2.emplace_back(cvRound(shut[*it].x), cvRound(shut[*it].y));
  cv::fillPoly(closed, std::vector<std::vector<cv::Point>>{o2}, cv::Scalar(170, 70, 80));
  cv::Mat closed_before = closed.clone();
  MouthInterior::erase_teeth(closed, shut);
  EXPECT_EQ(cv::norm(closed, closed_before, cv::NORM_INF), 0);
}

TEST(NeutralAppearance, TheFoldsOfThePortraitsOwnAusFade) {
  FoldSet set = FoldSet::parse(R"({"folds": [{"name": "line", "aus": {"lip_corner_raise_left": 1.0},
      "path": [1, 2], "width": 0.02, "blur": 0.01}]})", "t.json");
  std::vector<cv::Point2f> face(468, cv::Point2f(5, 5));
  face[33] = {50, 40};
  face[263] = {150, 40};
  face[1] = {60, 120};
  face[2] = {140, 124};
  cv::Mat img(200, 200, CV_8UC3, cv::Scalar(200, 150, 130));
  cv::line(img, {60, 122}, {140, 122}, cv::Scalar(120, 80, 70), 3, cv::LINE_AA);  // the photo's crease, 2 px off
  cv::Mat before = img.clone();
  AuFrame own{};
  FoldShading shading(set);
  shading.flatten(img, face, own);
  EXPECT_EQ(cv::norm(img, before, cv::NORM_INF), 0) << "no own AU, nothing to fade";
  own[11] = 1.f;
  shading.flatten(img, face, own);
  const double crease_before = 200 - before.at<cv::Vec3b>(122, 100)[0], crease_after = 200 - img.at<cv::Vec3b>(122, 100)[0];
  EXPECT_LT(crease_after, 0.5 * crease_before) << "the crease still shows";
  EXPECT_EQ(img.at<cv::Vec3b>(180, 100), before.at<cv::Vec3b>(180, 100));
  EXPECT_EQ(img.at<cv::Vec3b>(122, 20), before.at<cv::Vec3b>(122, 20));
}

// On the astronaut, and on faceapi-s6-second, whose grin shows its teeth out to the corners.
TEST(NeutralAppearance, AnOpenSmileRenderedNeutralShowsNoTeeth) {
  for (const char* name : {"examples/astronaut.png", "examples/faces/faceapi-s6-second.jpg"}) {
    const std::filesystem::path astronaut = std::filesystem::path(AUHEAD_SOURCE_DIR) / name;
    if (!std::filesystem::exists(astronaut) ||
        !std::filesystem::exists(face::default_face_models_dir() / "face_landmark.tflite"))
      GTEST_SKIP() << "run scripts/setup.sh";
    cv::Mat portrait = media::load_image_rgb(astronaut);
    AuSequence neutral;
    neutral.fps = 25;
    neutral.frames.push_back(AuFrame{});
    auto teeth_in_mouth = [&](bool keep) {
      render::RendererOptions o;
      o.still = true;
      o.keep_portrait_expression = keep;
      cv::Mat frame;
      render::make_renderer("warp", o)->render(neutral, portrait, astronaut.string(), [&](const cv::Mat& f) { frame = f.clone(); });
      auto r = face::FaceAnalyzer::shared().analyze(frame, "frame");
      std::vector<cv::Point> outer;
      for (int i : kOuterLips.upper) outer.emplace_back(cvRound(r.landmarks[i].x), cvRound(r.landmarks[i].y));
      for (auto it = kOuterLips.lower.rbegin(); it != kOuterLips.lower.rend(); ++it)
        outer.emplace_back(cvRound(r.landmarks[*it].x), cvRound(r.landmarks[*it].y));
      cv::Mat mask(frame.size(), CV_8U, cv::Scalar(0)), lab;
      cv::fillPoly(mask, std::vector<std::vector<cv::Point>>{outer}, cv::Scalar(255));
      cv::cvtColor(frame, lab, cv::COLOR_RGB2Lab);
      int n = 0;
      for (int y = 0; y < frame.rows; ++y)
        for (int x = 0; x < frame.cols; ++x) {
          if (!mask.at<uint8_t>(y, x)) continue;
          auto c = lab.at<cv::Vec3b>(y, x);
          n += c[0] > 175 && std::hypot(c[1] - 128.0, c[2] - 128.0) < 14;  // bright, nearly grey: teeth
        }
      return n;
    };
    const int kept = teeth_in_mouth(true), neutralised = teeth_in_mouth(false);
    EXPECT_GT(kept, 150) << name << ": the photo's own smile shows its teeth";
    EXPECT_LT(neutralised, 15) << name << ": teeth still show between the lips";
  }
}

// A photo that shows its upper teeth gives them to the mouth interior (OwnTeeth): on the smiling
// astronaut they are found across the mouth's middle, a few hundredths of the mouth's width tall,
// light; on the bundled portrait, whose lips are closed, there are none.
TEST(NeutralAppearance, OwnTeethComeFromAPhotoThatShowsThem) {
  const std::filesystem::path dir = std::filesystem::path(AUHEAD_SOURCE_DIR) / "examples";
  if (!std::filesystem::exists(face::default_face_models_dir() / "face_landmark.tflite"))
    GTEST_SKIP() << "run scripts/setup.sh";
  auto own_teeth = [](const std::filesystem::path& file) {
    cv::Mat img = media::load_image_rgb(file);
    auto r = face::FaceAnalyzer::shared().analyze(img, file.string());
    std::vector<cv::Point2f> pts;
    for (const auto& p : r.landmarks) pts.emplace_back(p.x - 0.5f, p.y - 0.5f);
    return OwnTeeth(img, pts);
  };
  OwnTeeth smile = own_teeth(dir / "astronaut.png");
  ASSERT_TRUE(smile.present());
  EXPECT_GT(smile.height(0.5f), 0.03f);
  EXPECT_LT(smile.height(0.5f), 0.3f);
  cv::Vec3f c;
  float w = 0;
  smile.sample(0.5f, 0.01f, c, w);
  EXPECT_GT(w, 0.5f);
  EXPECT_GT((c[0] + c[1] + c[2]) / 3, 120.f) << "teeth are light";
  smile.sample(0.5f, -0.05f, c, w);  // below the incisal edge: not teeth
  EXPECT_EQ(w, 0.f);
  EXPECT_FALSE(own_teeth(dir / "portrait.jpg").present());
  // Under a blue light the teeth have chroma of their own, but not the lips' red: still found.
  {
    cv::Mat blue = media::load_image_rgb(dir / "astronaut.png");
    blue.forEach<cv::Vec3b>([](cv::Vec3b& px, const int*) {
      px = {cv::saturate_cast<uint8_t>(px[0] * 0.72f), cv::saturate_cast<uint8_t>(px[1] * 0.85f),
            cv::saturate_cast<uint8_t>(px[2] * 1.25f + 20)};
    });
    auto fr = face::FaceAnalyzer::shared().analyze(blue, "blue");
    std::vector<cv::Point2f> bp;
    for (const auto& p : fr.landmarks) bp.emplace_back(p.x - 0.5f, p.y - 0.5f);
    EyeOpening eyes(blue, bp);
    ASSERT_TRUE(eyes.eye(0).usable);
    const cv::Mat untouched = blue.clone();
    OwnTeeth lit(blue, bp, eyes.eye(0).sclera);
    EXPECT_EQ(cv::norm(blue, untouched, cv::NORM_INF), 0) << "the photo is only read";
    EXPECT_TRUE(lit.present()) << "teeth under a blue light";
    lit.sample(0.5f, 0.5f * lit.height(0.5f), c, w);
    EXPECT_GT(w, 0.5f);
    EXPECT_GT(c[2], c[0]) << "and they keep the light's colour";
  }
  // A black-and-white photo: the teeth are found by lightness alone.
  cv::Mat grey_photo, grey = media::load_image_rgb(dir / "astronaut.png");
  cv::cvtColor(grey, grey_photo, cv::COLOR_RGB2GRAY);
  cv::cvtColor(grey_photo, grey, cv::COLOR_GRAY2RGB);
  auto r = face::FaceAnalyzer::shared().analyze(grey, "grey");
  std::vector<cv::Point2f> pts;
  for (const auto& p : r.landmarks) pts.emplace_back(p.x - 0.5f, p.y - 0.5f);
  OwnTeeth bw(grey, pts);
  EXPECT_TRUE(bw.present());
  bw.sample(0.5f, 0.01f, c, w);
  EXPECT_TRUE(std::isfinite(w));
}

}  // namespace
}  // namespace auhead::render::warp
