// `auhead face` end to end: JSON and overlay written, no-face and bad-option exit codes.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "build_config.h"
#include "cli/cli_test_util.h"
#include "face/face_analyzer.h"

namespace fs = std::filesystem;

namespace {
const char* kPortrait = "/usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg";

using CliRun = auhead::test::CliResult;
CliRun run(const std::string& args) { return auhead::test::run_cli(args); }

class FaceCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(auhead::face::default_face_models_dir() / "face_landmark.tflite"))
      GTEST_SKIP() << "face models missing (run scripts/setup.sh)";
    if (!fs::exists(kPortrait)) GTEST_SKIP() << kPortrait << " missing";
    dir_ = fs::temp_directory_path() / ("auhead_face_cli_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  fs::path dir_;
};
}  // namespace

TEST_F(FaceCli, WritesLandmarksAndOverlay) {
  CliRun r = run(std::string("face --image ") + kPortrait + " -o " + (dir_ / "face.json").string() +
              " --draw " + (dir_ / "overlay.png").string());
  ASSERT_EQ(r.code, 0) << r.output;
  nlohmann::json j = nlohmann::json::parse(std::ifstream(dir_ / "face.json"));
  EXPECT_EQ(j["landmarks"].size(), 468u);
  EXPECT_EQ(j["faces_found"], 1);
  cv::Mat overlay = cv::imread((dir_ / "overlay.png").string());
  EXPECT_EQ(overlay.cols, 512);
  EXPECT_EQ(overlay.rows, 600);
  // Only the two outputs: no temporaries left behind.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 2);
}

TEST_F(FaceCli, AttentionMeshOnRequest) {
  if (!fs::exists(auhead::face::default_face_models_dir() / "face_landmark_with_attention.tflite"))
    GTEST_SKIP() << "attention mesh missing (run scripts/setup.sh)";
  const std::string out = (dir_ / "face.json").string();
  CliRun r = run(std::string("face --image ") + kPortrait + " -o " + out);
  ASSERT_EQ(r.code, 0) << r.output;
  nlohmann::json v1 = nlohmann::json::parse(std::ifstream(out));
  EXPECT_EQ(v1["landmark_model"], "face_mesh");
  r = run(std::string("face --image ") + kPortrait + " --mesh attention -o " + out);
  ASSERT_EQ(r.code, 0) << r.output;
  nlohmann::json at = nlohmann::json::parse(std::ifstream(out));
  EXPECT_EQ(at["landmark_model"], "attention");
  ASSERT_EQ(at["landmarks"].size(), 468u);
  EXPECT_NE(at["landmarks"][159], v1["landmarks"][159]);  // an upper-lid point, re-placed
  r = run(std::string("face --image ") + kPortrait + " --mesh v2 -o " + out);
  EXPECT_EQ(r.code, 2) << r.output;
}

TEST_F(FaceCli, NoFaceExitsWithBadInput) {
  fs::path grey = dir_ / "portrait.png";
  cv::imwrite(grey.string(), cv::Mat(200, 200, CV_8UC3, cv::Scalar::all(127)));
  CliRun r = run("face --image " + grey.string() + " -o " + (dir_ / "face.json").string());
  EXPECT_EQ(r.code, 3) << r.output;
  EXPECT_NE(r.output.find("portrait.png: no face found"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir_ / "face.json"));
}

TEST_F(FaceCli, MissingImageAndBadIndex) {
  CliRun r = run("face --image " + (dir_ / "nope.jpg").string() + " -o " + (dir_ / "f.json").string());
  EXPECT_EQ(r.code, 3) << r.output;
  r = run(std::string("face --image ") + kPortrait + " -o " + (dir_ / "f.json").string() + " --face-index 3");
  EXPECT_EQ(r.code, 3) << r.output;
  EXPECT_NE(r.output.find("face index 3"), std::string::npos) << r.output;
  r = run(std::string("face --image ") + kPortrait + " -o " + (dir_ / "f.json").string() + " --face-index -1");
  EXPECT_EQ(r.code, 2) << r.output;
}
