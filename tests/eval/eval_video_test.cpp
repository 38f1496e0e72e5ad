// Video reading (frames back as RGB with the frame rate; errors name the file), the face-api
// expression net (TF.js manifest reading, dequantisation, a plausible class on the portrait).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <opencv2/imgproc.hpp>

#include "cli/cli_test_util.h"
#include "eval/expression_net.h"
#include "face/face_analyzer.h"
#include "media/image_io.h"
#include "media/video_reader.h"
#include "media/video_writer.h"
#include "test_util.h"

namespace fs = std::filesystem;
using namespace auhead;
using namespace auhead::test;

TEST(EvalVideoReader, ReadsBackWrittenFrames) {
  TempDir dir("eval_video_reader");
  const std::string file = dir / "v.mp4";
  {
    media::VideoWriter w(file, 64, 48, media::FrameRate{25, 1});
    for (int i = 0; i < 10; ++i) w.write(cv::Mat(48, 64, CV_8UC3, cv::Scalar(20 * i, 200 - 10 * i, 100)));
    w.finish();
  }
  auto v = media::read_video(file);
  EXPECT_EQ(v.info.width, 64);
  EXPECT_EQ(v.info.height, 48);
  EXPECT_NEAR(v.info.fps, 25.0, 1e-6);
  ASSERT_EQ(v.frames.size(), 10u);
  for (int i = 0; i < 10; ++i) {
    cv::Scalar m = cv::mean(v.frames[i]);
    EXPECT_NEAR(m[0], 20 * i, 4) << i;  // R first
    EXPECT_NEAR(m[1], 200 - 10 * i, 4) << i;
    EXPECT_NEAR(m[2], 100, 4) << i;
  }
  EXPECT_EQ(media::read_video(file, 3).frames.size(), 3u);

  std::ofstream(dir / "junk.mp4") << "not a video";
  EXPECT_NE(error_of([&] { media::read_video(dir / "junk.mp4"); }).find("junk.mp4: not a video file or corrupt"),
            std::string::npos);
  EXPECT_NE(error_of([&] { media::read_video(dir / "none.mp4"); }).find("none.mp4: no such file"), std::string::npos);
  EXPECT_NE(error_of([&] { media::read_video(example("speech.wav")); }).find("has no video stream"), std::string::npos);
}

TEST(EvalExpressionNet, ReadsQuantisedManifest) {
  TempDir dir("eval_tfjs");
  std::ofstream(dir / "m.json") << R"([{"paths":["m.bin"],"weights":[
    {"name":"a","shape":[2],"dtype":"float32"},
    {"name":"q","shape":[3],"dtype":"float32","quantization":{"dtype":"uint8","min":-1.0,"scale":0.5}}]}])";
  {
    std::ofstream bin(dir / "m.bin", std::ios::binary);
    float f[2] = {1.5f, -2.f};
    bin.write(reinterpret_cast<const char*>(f), sizeof f);
    unsigned char q[3] = {0, 2, 5};
    bin.write(reinterpret_cast<const char*>(q), 3);
  }
  auto w = eval::read_tfjs_weights(dir / "m.json");
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0].values, (std::vector<float>{1.5f, -2.f}));
  EXPECT_EQ(w[1].values, (std::vector<float>{-1.f, 0.f, 1.5f}));
  std::ofstream(dir / "short.json") << R"([{"paths":["m.bin"],"weights":[{"name":"a","shape":[9],"dtype":"float32"}]}])";
  EXPECT_NE(error_of([&] { eval::read_tfjs_weights(dir / "short.json"); }).find("a: the .bin shards are too short"),
            std::string::npos);
  // Label mapping: fearful is our fear, contempt has no class.
  EXPECT_EQ(eval::expression_to_emotion(4), Emotion::fear);
  EXPECT_FALSE(eval::emotion_to_expression(Emotion::contempt).has_value());
  EXPECT_EQ(*eval::emotion_to_expression(Emotion::surprised), 6);
}

class EvalFace : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!fs::exists(face::default_face_models_dir() / "face_landmark.tflite") || !fs::exists(example("portrait.jpg")))
      return;
    analyzer_ = new face::FaceAnalyzer();
    portrait_ = new cv::Mat(media::load_image_rgb(example("portrait.jpg")));
    face_ = new face::FaceResult(analyzer_->analyze(*portrait_, "portrait.jpg"));
  }
  static void TearDownTestSuite() {
    delete face_, delete portrait_, delete analyzer_;
    face_ = nullptr, portrait_ = nullptr, analyzer_ = nullptr;
  }
  void SetUp() override {
    if (!analyzer_) GTEST_SKIP() << "face models or examples/portrait.jpg missing (run scripts/setup.sh)";
  }
  static inline face::FaceAnalyzer* analyzer_ = nullptr;
  static inline cv::Mat* portrait_ = nullptr;
  static inline face::FaceResult* face_ = nullptr;
};

TEST_F(EvalFace, ExpressionNetGivesAPlausibleClass) {
  const fs::path dir = eval::default_face_api_dir();
  if (!fs::exists(dir / "face_expression_model.bin")) GTEST_SKIP() << "face-api model missing (run scripts/setup.sh)";
  eval::ExpressionNet net(dir);
  std::vector<cv::Point2f> pts;
  for (const auto& p : face_->landmarks) pts.emplace_back(p.x, p.y);
  cv::Mat crop = (*portrait_)(eval::expression_crop(pts, portrait_->size())).clone();
  auto probs = net.predict({crop, crop});
  ASSERT_EQ(probs.size(), 2u);
  float sum = 0;
  for (float p : probs[0]) sum += p;
  EXPECT_NEAR(sum, 1.f, 1e-4);
  EXPECT_EQ(probs[0], probs[1]);
  std::string line;
  for (int c = 0; c < eval::kExpressionClasses; ++c)
    line += std::string(eval::kExpressionLabels[c]) + "=" + std::to_string(probs[0][c]) + " ";
  std::cout << "grace_hopper: " << line << "\n";
  // Grace Hopper's portrait: a calm face with a slight smile.
  const int top = int(std::max_element(probs[0].begin(), probs[0].end()) - probs[0].begin());
  EXPECT_TRUE(top == 0 || top == 1) << line;
}
