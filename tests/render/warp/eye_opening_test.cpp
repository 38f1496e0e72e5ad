// Eyes opened wider than in the portrait (issue #14: fear and surprise): on the bundled astronaut, the
// eye is measured (a sclera brighter than the iris, an iris of human proportions); raising the upper
// lids uncovers the iris's circle above it and sclera beside it, leaves everything outside the new
// opening as it was, and changes nothing when the lids do not rise.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>

#include <opencv2/imgproc.hpp>

#include "build_config.h"
#include "face/face_analyzer.h"
#include "media/image_io.h"
#include "render/warp/eye_opening.h"
#include "render/warp/face_regions.h"

namespace fs = std::filesystem;

namespace auhead::render::warp {
namespace {

const fs::path kAstronaut = fs::path(AUHEAD_SOURCE_DIR) / "examples/astronaut.png";

class EyeOpeningTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(face::default_face_models_dir() / "face_landmark.tflite") || !fs::exists(kAstronaut))
      GTEST_SKIP() << "face models or astronaut.png missing (run scripts/setup.sh)";
    image_ = media::load_image_rgb(kAstronaut);
    for (const auto& p : face::FaceAnalyzer::shared().analyze(image_, kAstronaut.string()).landmarks)
      face_.emplace_back(p.x, p.y);
  }
  // The face with both upper lids raised by `k` times their opening (corners kept).
  std::vector<cv::Point2f> raised(float k) const {
    std::vector<cv::Point2f> f = face_;
    for (const auto* eye : {&kRightEye, &kLeftEye})
      for (size_t i = 1; i + 1 < eye->upper.size(); ++i) {
        const cv::Point2f gap = face_[size_t(eye->upper[i])] - face_[size_t(eye->lower[i])];
        f[size_t(eye->upper[i])] += k * gap;
      }
    return f;
  }
  static float lum(const cv::Vec3b& c) { return 0.3f * c[0] + 0.59f * c[1] + 0.11f * c[2]; }
  cv::Mat image_;
  std::vector<cv::Point2f> face_;
};

TEST_F(EyeOpeningTest, MeasuresTheEyes) {
  EyeOpening eyes(image_, face_);
  for (int side : {0, 1}) {
    const auto& e = eyes.eye(side);
    ASSERT_TRUE(e.usable) << side;
    const auto& o = side == 0 ? kRightEye : kLeftEye;
    const float width = float(cv::norm(face_[size_t(o.upper.front())] - face_[size_t(o.upper.back())]));
    EXPECT_GE(e.iris_radius, 0.16f * width);
    EXPECT_LE(e.iris_radius, 0.26f * width);
    EXPECT_GT(0.3f * e.sclera[0] + 0.59f * e.sclera[1] + 0.11f * e.sclera[2],
              0.3f * e.iris[0] + 0.59f * e.iris[1] + 0.11f * e.iris[2] + 25.f);
  }
}

TEST_F(EyeOpeningTest, RaisedLidsUncoverIrisAndSclera) {
  EyeOpening eyes(image_, face_);
  const std::vector<cv::Point2f> wide = raised(0.5f);
  cv::Mat frame = image_.clone();  // stands for the warp's frame
  eyes.compose(frame, wide);
  for (int side : {0, 1}) {
    const auto& e = eyes.eye(side);
    const auto& o = side == 0 ? kRightEye : kLeftEye;
    // Just above the portrait's upper lid, over the iris's centre: the iris (dark); beside the iris,
    // at the same height: sclera (light) — where the portrait had lid skin and lashes.
    const cv::Point2f lid = face_[size_t(o.upper[4])], below = face_[size_t(o.lower[4])];
    const float up = 0.08f * float(cv::norm(lid - below));
    const cv::Point iris_px(int(e.iris_centre.x), int(lid.y - up));
    const cv::Point2f corner_dir = face_[size_t(o.upper[1])] - face_[size_t(o.upper[4])];
    const cv::Point2f side_pt = e.iris_centre + corner_dir * ((e.iris_radius + 2.f) / float(cv::norm(corner_dir)));
    const cv::Point sclera_px(int(side_pt.x), int(face_[size_t(o.upper[2])].y - up));
    EXPECT_LT(lum(frame.at<cv::Vec3b>(iris_px)), lum(cv::Vec3b(cv::Vec3f(e.sclera))) - 20.f) << "side " << side;
    EXPECT_GT(lum(frame.at<cv::Vec3b>(sclera_px)), lum(frame.at<cv::Vec3b>(iris_px)) + 20.f) << "side " << side;
  }
  // Nothing changes outside the new openings (2 px of anti-aliasing and blur allowed).
  cv::Mat outside(image_.size(), CV_8UC1, cv::Scalar(255));
  for (const auto* o : {&kRightEye, &kLeftEye}) {
    std::vector<cv::Point> poly;
    for (int i : o->upper) poly.emplace_back(cv::Point(wide[size_t(i)]));
    for (size_t i = o->lower.size() - 2; i >= 1; --i) poly.emplace_back(cv::Point(wide[size_t(o->lower[i])]));
    cv::fillPoly(outside, std::vector<std::vector<cv::Point>>{poly}, cv::Scalar(0));
  }
  cv::erode(outside, outside, cv::Mat(), cv::Point(-1, -1), 3);
  cv::Mat diff;
  cv::absdiff(frame, image_, diff);
  cv::cvtColor(diff, diff, cv::COLOR_RGB2GRAY);
  double worst = 0;
  cv::minMaxLoc(diff, nullptr, &worst, nullptr, nullptr, outside);
  EXPECT_EQ(worst, 0);
}

// The band a raised lid uncovers must read as the white of the eye, not as a pale lid: on a small,
// warm-lit eye whose visible sclera is mostly blurred with the lid's skin (human-author), it is drawn
// with much less colour than the lightest tenth of the portrait's eye opening (which is mostly that
// skin) and about as light, and a blue-lit face (faceapi-s3-right) keeps the light's colour in it.
TEST_F(EyeOpeningTest, UncoveredScleraIsWhiterThanTheLidsSkin) {
  auto chroma = [](const cv::Vec3f& c) { return std::max({c[0], c[1], c[2]}) - std::min({c[0], c[1], c[2]}); };
  for (const char* name : {"examples/faces/human-author.jpg", "examples/faces/faceapi-s3-right.jpg"}) {
    const fs::path path = fs::path(AUHEAD_SOURCE_DIR) / name;
    if (!fs::exists(path)) GTEST_SKIP() << path << " missing";
    image_ = media::load_image_rgb(path);
    face_.clear();
    for (const auto& p : face::FaceAnalyzer::shared().analyze(image_, path.string()).landmarks) face_.emplace_back(p.x, p.y);
    EyeOpening eyes(image_, face_);
    const std::vector<cv::Point2f> wide = raised(0.5f);
    cv::Mat frame = image_.clone();
    eyes.compose(frame, wide);
    for (int side : {0, 1}) {
      const auto& e = eyes.eye(side);
      ASSERT_TRUE(e.usable) << name << " side " << side;
      const auto& o = side == 0 ? kRightEye : kLeftEye;
      // In the band, beside the iris: halfway between the portrait's lid and the raised one, at the
      // lid point nearest the outer corner that clears the iris.
      const int k = 2;
      const cv::Point2f at = 0.5f * (face_[size_t(o.upper[k])] + wide[size_t(o.upper[k])]);
      if (std::abs(at.x - e.iris_centre.x) < e.iris_radius + 2.f) continue;
      const cv::Vec3b b = frame.at<cv::Vec3b>(cv::Point(at));
      const cv::Vec3f band(b[0], b[1], b[2]);
      if (std::string(name).find("human-author") != std::string::npos) {
        EXPECT_GT(lum(b), 0.85f * lum(cv::Vec3b(e.sclera))) << name << " side " << side;
        EXPECT_LT(chroma(band), 0.7f * chroma(e.sclera)) << name << " side " << side;
      } else {
        EXPECT_GT(band[2], band[0] + 10.f) << "the blue light's colour is kept, side " << side;
      }
    }
  }
}

TEST_F(EyeOpeningTest, LidsThatDoNotRiseChangeNothing) {
  EyeOpening eyes(image_, face_);
  for (float k : {0.f, 0.02f, -0.3f}) {  // the portrait's lids, a tremble, lids narrowed
    cv::Mat frame = image_.clone();
    eyes.compose(frame, raised(k));
    EXPECT_EQ(cv::norm(frame, image_, cv::NORM_INF), 0) << k;
  }
}

}  // namespace
}  // namespace auhead::render::warp
