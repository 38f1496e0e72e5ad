// Accuracy against dlib's 68-point predictor (issue #3): at corresponding points (eye corners, nose
// tip, mouth corners, chin) the mean FaceMesh–dlib distance over dlib's inter-ocular distance
// (outer eye corners) must stay ≤ 0.05. The dlib points are committed in
// tests/face/dlib68_reference.json (scripts/face-dlib-reference.sh regenerates them).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include "build_config.h"
#include "face/face_analyzer.h"
#include "media/image_io.h"

namespace fs = std::filesystem;
using namespace auhead::face;

namespace {

const char* kPortrait = "/usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg";

// dlib 68-point index → FaceMesh index, as in the MediaPipe→iBUG-68 table in common use (e.g.
// LatentSync 1.5's LM68_FROM_MP478): the 2-D nose tip (dlib 30) is mesh point 4, not 1.
const std::pair<int, int> kCorrespondences[] = {
    {36, 33},   // subject's right eye, outer corner
    {39, 133},  // subject's right eye, inner corner
    {42, 362},  // subject's left eye, inner corner
    {45, 263},  // subject's left eye, outer corner
    {30, 4},    // nose tip
    {48, 61},   // mouth corner (subject's right)
    {54, 291},  // mouth corner (subject's left)
    {8, 152},   // chin
};

// The variants, exactly as tools/face_dlib_reference.cpp builds them.
cv::Mat variant(const cv::Mat& img, const std::string& name) {
  cv::Mat out;
  if (name == "mirrored") {
    cv::flip(img, out, 1);
  } else if (name == "rotated15") {
    cv::Mat m = cv::getRotationMatrix2D(cv::Point2f(img.cols / 2.f, img.rows / 2.f), 15.0, 1.0);
    cv::warpAffine(img, out, m, img.size(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  } else {
    out = img.clone();
  }
  return out;
}

}  // namespace

TEST(FaceAccuracy, AgreesWithDlib68AtCorrespondingPoints) {
  fs::path models = default_face_models_dir();
  if (!fs::exists(models / "face_landmark.tflite")) GTEST_SKIP() << "face models missing (run scripts/setup.sh)";
  if (!fs::exists(kPortrait)) GTEST_SKIP() << kPortrait << " missing";
  fs::path ref_file = fs::path(AUHEAD_SOURCE_DIR) / "tests/face/dlib68_reference.json";
  nlohmann::json ref = nlohmann::json::parse(std::ifstream(ref_file));
  FaceAnalyzer analyzer(models);
  cv::Mat portrait = auhead::media::load_image_rgb(kPortrait);
  double total = 0;
  int images = 0;
  for (auto& [name, pts] : ref["images"].items()) {
    ASSERT_EQ(pts.size(), 68u) << name;
    FaceResult r = analyzer.analyze(variant(portrait, name), name);
    // dlib reports pixel indices; FaceMesh continuous coordinates (pixel centres at +0.5).
    auto dlib_pt = [&](int i) { return cv::Point2d(pts[i][0].get<double>() + 0.5, pts[i][1].get<double>() + 0.5); };
    double iod = cv::norm(dlib_pt(36) - dlib_pt(45));
    double sum = 0;
    for (auto [d, m] : kCorrespondences) {
      double e = cv::norm(dlib_pt(d) - cv::Point2d(r.landmarks[m].x, r.landmarks[m].y)) / iod;
      EXPECT_LT(e, 0.12) << name << ": dlib " << d << " vs mesh " << m;
      sum += e;
    }
    double mean = sum / std::size(kCorrespondences);
    std::printf("[ face accuracy ] %-10s mean error / inter-ocular = %.4f\n", name.c_str(), mean);
    EXPECT_LE(mean, 0.05) << name;
    total += mean;
    ++images;
  }
  ASSERT_EQ(images, 3);
  EXPECT_LE(total / images, 0.05);
}
