// Glasses in a portrait (issue #14, item 4): the bundled portrait's own frame is found, none is found
// on the astronaut (no glasses), and frames drawn onto her (dark plastic and thin metal, whose pixels
// are known) are found and covered: recall ≥ 0.9, precision ≥ 0.7. Degenerate inputs find nothing.
#include <gtest/gtest.h>

#include <filesystem>

#include <opencv2/imgproc.hpp>

#include "build_config.h"
#include "face/face_analyzer.h"
#include "face/glasses_finder.h"
#include "media/image_io.h"

namespace fs = std::filesystem;

namespace auhead::face {
namespace {

bool have_models() { return fs::exists(default_face_models_dir() / "face_landmark.tflite"); }

std::vector<cv::Point2f> landmarks_of(const cv::Mat& rgb) {
  std::vector<cv::Point2f> lm;
  for (const auto& p : FaceAnalyzer::shared().analyze(rgb, "test").landmarks) lm.emplace_back(p.x, p.y);
  return lm;
}

cv::Mat load(const char* name) { return media::load_image_rgb(fs::path(AUHEAD_SOURCE_DIR) / "examples" / name); }

}  // namespace

TEST(GlassesFinder, FindsThePortraitsFrameAndNoneOnTheAstronaut) {
  if (!have_models()) GTEST_SKIP() << "face models missing (run scripts/setup.sh)";
  cv::Mat portrait = load("portrait.jpg"), astronaut = load("astronaut.png");
  GlassesFrames worn = find_glasses(portrait, landmarks_of(portrait));
  ASSERT_TRUE(worn.found);
  EXPECT_EQ(worn.mask.size(), portrait.size());
  // The frame lies around the eyes, not over the whole face: a few percent of the picture.
  const double area = cv::countNonZero(worn.mask >= 0.5f) / double(portrait.total());
  EXPECT_GT(area, 0.005);
  EXPECT_LT(area, 0.08);
  GlassesFrames none = find_glasses(astronaut, landmarks_of(astronaut));
  EXPECT_FALSE(none.found);
  EXPECT_TRUE(none.mask.empty());
}

TEST(GlassesFinder, FindsDrawnFrames) {
  if (!have_models()) GTEST_SKIP() << "face models missing (run scripts/setup.sh)";
  const cv::Mat astronaut = load("astronaut.png");
  const auto bare = landmarks_of(astronaut);
  for (bool thick : {true, false}) {
    cv::Mat img = astronaut.clone();
    cv::Mat truth = draw_test_glasses(img, bare, thick);
    GlassesFrames g = find_glasses(img, landmarks_of(img));
    ASSERT_TRUE(g.found) << (thick ? "thick" : "thin");
    cv::Mat m = g.mask >= 0.5f, near;
    cv::dilate(truth, near, cv::getStructuringElement(cv::MORPH_ELLIPSE, {5, 5}));
    EXPECT_GE(cv::countNonZero(m & truth) / double(cv::countNonZero(truth)), 0.9) << (thick ? "thick" : "thin");
    EXPECT_GE(cv::countNonZero(m & near) / double(cv::countNonZero(m)), 0.7) << (thick ? "thick" : "thin");
  }
}

TEST(GlassesFinder, DegenerateInputsFindNothing) {
  cv::Mat grey(64, 64, CV_8UC3, cv::Scalar(120, 120, 120));
  EXPECT_FALSE(find_glasses(grey, {}).found);
  EXPECT_FALSE(find_glasses(cv::Mat(), std::vector<cv::Point2f>(468)).found);
  // All landmarks on one point: no eye distance to measure a frame by.
  EXPECT_FALSE(find_glasses(grey, std::vector<cv::Point2f>(468, cv::Point2f(30, 30))).found);
  // A flat picture with plausible eyes: no structure, so no frame.
  std::vector<cv::Point2f> lm(468, cv::Point2f(32, 40));
  for (int i : {33, 246, 161, 160, 159, 158, 157, 173, 133, 155, 154, 153, 145, 144, 163, 7}) lm[std::size_t(i)] = {20, 30};
  for (int i : {263, 466, 388, 387, 386, 385, 384, 398, 362, 382, 381, 380, 374, 373, 390, 249}) lm[std::size_t(i)] = {44, 30};
  EXPECT_FALSE(find_glasses(grey, lm).found);
}

}  // namespace auhead::face
