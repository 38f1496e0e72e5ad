// The selfie segmentation model on the bundled portrait: the silhouette is golden (8×8 block means
// within 0.03; a change to the interpreter or the pre-processing shows here), the face is inside,
// the background corners outside, a mirrored photo gives the mirrored mask, and a model that is
// not a segmenter is an input error naming its file. Skipped when the model is missing
// (scripts/setup.sh installs it).
#include <gtest/gtest.h>

#include <filesystem>

#include <opencv2/imgproc.hpp>

#include "auhead/error.h"
#include "build_config.h"
#include "face/face_analyzer.h"
#include "face/person_segmenter.h"
#include "media/image_io.h"

namespace fs = std::filesystem;
using namespace auhead;
using namespace auhead::face;

namespace {

const fs::path kPortrait = fs::path(AUHEAD_SOURCE_DIR) / "examples/portrait.jpg";

// 8×8 block means of the mask of examples/portrait.jpg (INTER_AREA), as first computed.
constexpr float kGolden[8][8] = {
    {0.000f, 0.000f, 0.056f, 0.530f, 0.555f, 0.109f, 0.000f, 0.000f},
    {0.000f, 0.000f, 0.565f, 1.000f, 1.000f, 0.750f, 0.000f, 0.000f},
    {0.000f, 0.000f, 0.638f, 1.000f, 1.000f, 0.832f, 0.000f, 0.000f},
    {0.000f, 0.000f, 0.349f, 0.993f, 1.000f, 0.655f, 0.000f, 0.000f},
    {0.000f, 0.134f, 0.426f, 0.966f, 1.000f, 0.645f, 0.179f, 0.004f},
    {0.415f, 0.998f, 1.000f, 1.000f, 1.000f, 1.000f, 1.000f, 0.768f},
    {0.651f, 1.000f, 1.000f, 1.000f, 1.000f, 1.000f, 1.000f, 1.000f},
    {0.834f, 1.000f, 1.000f, 1.000f, 1.000f, 1.000f, 1.000f, 1.000f},
};

bool have_model() { return fs::exists(default_face_models_dir() / "selfie_segmentation.tflite"); }

}  // namespace

TEST(PersonSegmenter, PortraitSilhouetteIsGolden) {
  if (!have_model()) GTEST_SKIP() << "selfie segmentation model missing (run scripts/setup.sh)";
  cv::Mat img = media::load_image_rgb(kPortrait);
  cv::Mat mask = PersonSegmenter::shared().segment(img);
  ASSERT_EQ(mask.type(), CV_32FC1);
  ASSERT_EQ(mask.size(), img.size());
  cv::Mat blocks;
  cv::resize(mask, blocks, cv::Size(8, 8), 0, 0, cv::INTER_AREA);
  for (int y = 0; y < 8; ++y)
    for (int x = 0; x < 8; ++x) EXPECT_NEAR(blocks.at<float>(y, x), kGolden[y][x], 0.03f) << y << "," << x;

  // Every face landmark lies inside the silhouette; the top corners (flag, wall) outside.
  FaceResult face = FaceAnalyzer::shared().analyze(img, kPortrait.string());
  double inside = 0;
  for (const auto& p : face.landmarks)
    inside += mask.at<float>(std::clamp(int(p.y), 0, img.rows - 1), std::clamp(int(p.x), 0, img.cols - 1));
  EXPECT_GT(inside / double(face.landmarks.size()), 0.97);
  EXPECT_LT(cv::mean(mask(cv::Rect(0, 0, 40, 40)))[0], 0.02);
  EXPECT_LT(cv::mean(mask(cv::Rect(img.cols - 40, 0, 40, 40)))[0], 0.02);

  // The mirror image's mask is the mirrored mask.
  cv::Mat flipped, back;
  cv::flip(img, flipped, 1);
  cv::flip(PersonSegmenter::shared().segment(flipped), back, 1);
  EXPECT_LT(cv::mean(cv::abs(back - mask))[0], 0.03);
}

TEST(PersonSegmenter, AnotherModelIsAnInputErrorNamingIt) {
  const fs::path other = default_face_models_dir() / "face_detection_short_range.tflite";
  if (!fs::exists(other)) GTEST_SKIP() << "face models missing (run scripts/setup.sh)";
  try {
    PersonSegmenter s(other);
    FAIL() << "the face detector was accepted as a segmenter";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::bad_input);
    EXPECT_NE(std::string(e.what()).find("face_detection_short_range.tflite"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("not a selfie segmentation model"), std::string::npos) << e.what();
  }
}
