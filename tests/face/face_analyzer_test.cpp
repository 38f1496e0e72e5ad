// The face pipeline on the bundled public-domain portrait (grace_hopper.jpg): detection, golden
// landmarks (a change that moves them by more than 0.5 px shows here), no face, tiny and huge
// images, a rotated portrait, several faces, head pose. Skipped when the models are missing
// (scripts/setup.sh installs them).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include "auhead/error.h"
#include "build_config.h"
#include "face/face_analyzer.h"
#include "media/image_io.h"

namespace fs = std::filesystem;
using namespace auhead;
using namespace auhead::face;

namespace {

const char* kPortrait = "/usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg";
const fs::path kGolden = fs::path(AUHEAD_SOURCE_DIR) / "tests/face/golden_grace_hopper.json";

class FaceAnalyzerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    fs::path dir = default_face_models_dir();
    if (!fs::exists(dir / "face_landmark.tflite") || !fs::exists(dir / "face_detection_short_range.tflite") ||
        !fs::exists(dir / "geometry_pipeline_metadata_landmarks.binarypb"))
      return;
    analyzer_ = new FaceAnalyzer(dir);
    if (fs::exists(kPortrait)) portrait_ = new cv::Mat(media::load_image_rgb(kPortrait));
  }
  static void TearDownTestSuite() {
    delete analyzer_;
    delete portrait_;
    analyzer_ = nullptr;
    portrait_ = nullptr;
  }
  void SetUp() override {
    if (!analyzer_) GTEST_SKIP() << "face models missing in " << default_face_models_dir() << " (run scripts/setup.sh)";
    if (!portrait_) GTEST_SKIP() << kPortrait << " missing (Debian python-matplotlib-data)";
  }
  static double inter_ocular(const FaceResult& r) {
    return cv::norm(cv::Point2f(r.landmarks[33].x - r.landmarks[263].x, r.landmarks[33].y - r.landmarks[263].y));
  }
  // Mean 2-D distance between two landmark sets after mapping `b` by the 2×3 affine `m`
  // (b → a's image), over the inter-ocular distance of `a`.
  static double mean_error(const FaceResult& a, const FaceResult& b, const cv::Matx23d& m) {
    double sum = 0;
    for (size_t i = 0; i < a.landmarks.size(); ++i) {
      cv::Vec3d p(b.landmarks[i].x, b.landmarks[i].y, 1.0);
      cv::Vec2d q = m * p;
      sum += std::hypot(q[0] - a.landmarks[i].x, q[1] - a.landmarks[i].y);
    }
    return sum / a.landmarks.size() / inter_ocular(a);
  }
  static FaceAnalyzer* analyzer_;
  static cv::Mat* portrait_;
};
FaceAnalyzer* FaceAnalyzerTest::analyzer_ = nullptr;
cv::Mat* FaceAnalyzerTest::portrait_ = nullptr;

TEST_F(FaceAnalyzerTest, DetectsThePortraitFace) {
  std::vector<FaceDetection> faces = analyzer_->detect(*portrait_);
  ASSERT_EQ(faces.size(), 1u);
  const FaceDetection& d = faces[0];
  EXPECT_GT(d.score, 0.8f);
  // The face of the 512×600 portrait is about 200 px wide, centred near (266, 243).
  EXPECT_NEAR(d.box.x + d.box.width / 2, 266, 25);
  EXPECT_NEAR(d.box.y + d.box.height / 2, 243, 30);
  EXPECT_GT(d.box.width, 150);
  EXPECT_LT(d.box.width, 260);
  // Subject's right eye is on the image's left; nose below the eyes, mouth below the nose.
  EXPECT_LT(d.keypoints[right_eye].x, d.keypoints[left_eye].x);
  EXPECT_GT(d.keypoints[nose_tip].y, d.keypoints[left_eye].y);
  EXPECT_GT(d.keypoints[mouth_center].y, d.keypoints[nose_tip].y);
}

TEST_F(FaceAnalyzerTest, LandmarksMatchTheGoldenFile) {
  FaceResult r = analyzer_->analyze(*portrait_, "grace_hopper.jpg");
  ASSERT_EQ(r.landmarks.size(), size_t(kMeshPoints));
  nlohmann::json now = face_result_to_json(r);
  if (const char* up = std::getenv("AUHEAD_UPDATE_GOLDEN"); up && std::string(up) == "1") {
    nlohmann::json g = {{"source", "grace_hopper.jpg (matplotlib sample data)"},
                        {"tolerance_px", 0.5},
                        {"box", now["box"]},
                        {"keypoints", now["keypoints"]},
                        {"landmarks", now["landmarks"]},
                        {"pose", now["pose"]}};
    // One landmark per line, so a diff shows which points moved.
    std::string text = g.dump(1);
    std::string lm_key = "\"landmarks\": [";
    size_t at = text.find(lm_key);
    size_t end = text.find("\n ]", at);
    std::string rows;
    for (size_t i = 0; i < g["landmarks"].size(); ++i)
      rows += std::string(i ? ",\n  " : "\n  ") + g["landmarks"][i].dump();
    text = text.substr(0, at + lm_key.size()) + rows + text.substr(end);
    std::ofstream(kGolden) << text << "\n";
    GTEST_SKIP() << "golden file rewritten: " << kGolden;
  }
  ASSERT_TRUE(fs::exists(kGolden)) << kGolden << " missing (AUHEAD_UPDATE_GOLDEN=1 writes it)";
  nlohmann::json g = nlohmann::json::parse(std::ifstream(kGolden));
  const double tol = g.value("tolerance_px", 0.5);
  ASSERT_EQ(g["landmarks"].size(), size_t(kMeshPoints));
  double worst = 0;
  int worst_i = -1;
  for (int i = 0; i < kMeshPoints; ++i) {
    for (int c = 0; c < 3; ++c) {
      double d = std::abs(now["landmarks"][i][c].get<double>() - g["landmarks"][i][c].get<double>());
      if (d > worst) { worst = d; worst_i = i; }
    }
  }
  EXPECT_LE(worst, tol) << "landmark " << worst_i << " moved by " << worst << " px";
  for (int c = 0; c < 4; ++c) EXPECT_NEAR(now["box"][c].get<double>(), g["box"][c].get<double>(), tol);
  for (const char* k : {"yaw", "pitch", "roll"})
    EXPECT_NEAR(now["pose"][k].get<double>(), g["pose"][k].get<double>(), 0.5) << k;
}

TEST_F(FaceAnalyzerTest, PortraitIsNearFrontal) {
  FaceResult r = analyzer_->analyze(*portrait_, "grace_hopper.jpg");
  EXPECT_LT(std::abs(r.alignment.pose.yaw), 12.0);
  EXPECT_LT(std::abs(r.alignment.pose.pitch), 15.0);
  EXPECT_LT(std::abs(r.alignment.pose.roll), 8.0);
  EXPECT_GT(r.confidence, 0.8f);
  EXPECT_EQ(r.faces_found, 1);
  // The aligned landmarks sit on the canonical face (cm), up to expression and identity.
  EXPECT_LT(r.alignment.rms_cm, 1.0);
  double sum = 0;
  for (int i = 0; i < kMeshPoints; ++i) {
    cv::Point3f d = r.alignment.aligned[i] - analyzer_->canonical().vertices[i];
    sum += std::sqrt(d.dot(d));
  }
  EXPECT_LT(sum / kMeshPoints, 1.0);
  // Eye corners: 33 (subject's right) left of 263 in the image.
  EXPECT_LT(r.landmarks[33].x, r.landmarks[263].x);
}

// The second bundled portrait (scripts/setup.d/10-second-portrait.sh): another face, no glasses.
TEST_F(FaceAnalyzerTest, SecondPortraitIsFoundAndFrontal) {
  const fs::path astronaut = fs::path(AUHEAD_SOURCE_DIR) / "examples/astronaut.png";
  ASSERT_TRUE(fs::exists(astronaut)) << "run scripts/setup.sh";
  FaceResult r = analyzer_->analyze(media::load_image_rgb(astronaut.string()), "astronaut.png");
  EXPECT_EQ(r.faces_found, 1);
  EXPECT_GT(r.confidence, 0.8f);
  EXPECT_LT(std::abs(r.alignment.pose.yaw), 20.0);
  EXPECT_LT(std::abs(r.alignment.pose.roll), 10.0);
  EXPECT_LT(r.alignment.rms_cm, 1.0);
  // Eyes above the mouth, the face in the upper middle of the 512×512 photo.
  EXPECT_LT(r.landmarks[159].y, r.landmarks[13].y);
  EXPECT_LT(r.landmarks[33].x, r.landmarks[263].x);
  EXPECT_GT(r.landmarks[1].x, 150);
  EXPECT_LT(r.landmarks[1].x, 350);
  EXPECT_LT(r.landmarks[1].y, 300);
}

TEST_F(FaceAnalyzerTest, NoFaceIsAClearInputError) {
  cv::Mat grey(300, 400, CV_8UC3, cv::Scalar::all(128));
  try {
    analyzer_->analyze(grey, "grey.png");
    FAIL() << "a face was found in a flat grey image";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::bad_input);
    EXPECT_STREQ(e.what(), "grey.png: no face found");
  }
}

TEST_F(FaceAnalyzerTest, TinyImage) {
  FaceResult full = analyzer_->analyze(*portrait_, "full");
  cv::Mat tiny;
  cv::resize(*portrait_, tiny, {64, 75}, 0, 0, cv::INTER_AREA);
  FaceResult r = analyzer_->analyze(tiny, "tiny");
  EXPECT_EQ(r.image_size, cv::Size(64, 75));
  double sx = 512.0 / 64, sy = 600.0 / 75;
  EXPECT_LT(mean_error(full, r, cv::Matx23d(sx, 0, 0, 0, sy, 0)), 0.05);
}

TEST_F(FaceAnalyzerTest, HugeImageKeepsOriginalCoordinates) {
  FaceResult full = analyzer_->analyze(*portrait_, "full");
  cv::Mat huge;
  cv::resize(*portrait_, huge, {3413, 4000}, 0, 0, cv::INTER_CUBIC);
  FaceResult r = analyzer_->analyze(huge, "huge");
  EXPECT_EQ(r.image_size, cv::Size(3413, 4000));
  double sx = 512.0 / 3413, sy = 600.0 / 4000;
  EXPECT_LT(mean_error(full, r, cv::Matx23d(sx, 0, 0, 0, sy, 0)), 0.01);
}

TEST_F(FaceAnalyzerTest, RotatedPortraitGivesRollAndRotatedLandmarks) {
  FaceResult full = analyzer_->analyze(*portrait_, "full");
  cv::Point2f centre(full.box.x + full.box.width / 2, full.box.y + full.box.height / 2);
  // +25° is counter-clockwise as displayed (OpenCV convention, y down).
  cv::Mat m = cv::getRotationMatrix2D(centre - cv::Point2f(0.5f, 0.5f), 25.0, 1.0);
  cv::Mat rotated;
  cv::warpAffine(*portrait_, rotated, m, portrait_->size(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  FaceResult r = analyzer_->analyze(rotated, "rotated");
  EXPECT_NEAR(r.alignment.pose.roll - full.alignment.pose.roll, 25.0, 4.0);
  EXPECT_NEAR(r.alignment.pose.yaw, full.alignment.pose.yaw, 5.0);
  // rotated landmarks ≈ the portrait's landmarks rotated (continuous coordinates: the same map)
  cv::Matx23d fwd(m.ptr<double>(0)[0], m.ptr<double>(0)[1], m.ptr<double>(0)[2] + 0,
                  m.ptr<double>(1)[0], m.ptr<double>(1)[1], m.ptr<double>(1)[2]);
  // the map was built for pixel-index coordinates; shift to continuous ones
  cv::Vec2d c0 = fwd * cv::Vec3d(-0.5, -0.5, 1.0) + cv::Vec2d(0.5, 0.5);
  cv::Matx23d cont(fwd(0, 0), fwd(0, 1), c0[0], fwd(1, 0), fwd(1, 1), c0[1]);
  // mean_error maps its second argument into the first's frame
  EXPECT_LT(mean_error(r, full, cont), 0.06);
}

TEST_F(FaceAnalyzerTest, SeveralFacesLargestFirstOrByIndex) {
  cv::Mat smaller;
  cv::resize(*portrait_, smaller, {}, 0.7, 0.7, cv::INTER_AREA);
  cv::Mat canvas(600, 512 + smaller.cols, CV_8UC3, cv::Scalar::all(0));
  portrait_->copyTo(canvas(cv::Rect(0, 0, 512, 600)));
  smaller.copyTo(canvas(cv::Rect(512, 0, smaller.cols, smaller.rows)));
  std::vector<FaceDetection> faces = analyzer_->detect(canvas);
  ASSERT_EQ(faces.size(), 2u);
  FaceResult big = analyzer_->analyze(canvas, "two.png");
  EXPECT_EQ(big.faces_found, 2);
  EXPECT_EQ(big.face_index, 0);
  EXPECT_LT(big.box.x, 512);
  FaceResult small = analyzer_->analyze(canvas, "two.png", 1);
  EXPECT_GT(small.box.x, 512);
  EXPECT_LT(small.box.area(), big.box.area());
  try {
    analyzer_->analyze(canvas, "two.png", 2);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::bad_input);
    EXPECT_NE(std::string(e.what()).find("2 face(s) found"), std::string::npos) << e.what();
  }
}

TEST_F(FaceAnalyzerTest, JsonHasEveryPart) {
  FaceResult r = analyzer_->analyze(*portrait_, "grace_hopper.jpg");
  nlohmann::json j = face_result_to_json(r);
  EXPECT_EQ(j["format"], "auhead.face/1");
  EXPECT_EQ(j["landmarks"].size(), 468u);
  EXPECT_EQ(j["landmarks"][0].size(), 3u);
  EXPECT_EQ(j["aligned_landmarks"].size(), 468u);
  EXPECT_EQ(j["keypoints"].size(), 6u);
  EXPECT_EQ(j["box"].size(), 4u);
  EXPECT_TRUE(j["pose"].contains("yaw"));
  EXPECT_EQ(j["alignment"]["rotation"].size(), 3u);
  EXPECT_EQ(j["image"]["width"], 512);
}

TEST(FaceModels, MissingFolderIsUnavailable) {
  try {
    FaceAnalyzer a("/nonexistent-auhead-models/face");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::unavailable);
    EXPECT_NE(std::string(e.what()).find("scripts/setup.sh"), std::string::npos);
  }
}

}  // namespace
