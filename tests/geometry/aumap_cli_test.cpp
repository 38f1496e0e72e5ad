// `auhead aumap` end to end: PNG sequences, legend and video from an AU file and the sample portrait.
#include <gtest/gtest.h>

#include <fstream>

#include "cli/cli_test_util.h"
#include "face/face_analyzer.h"
#include "media/image_io.h"

namespace auhead {
namespace {

namespace fs = std::filesystem;
const char* kPortrait = "/usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg";

bool have_inputs() {
  std::error_code ec;
  return fs::is_regular_file(face::default_face_models_dir() / "face_landmark.tflite", ec) &&
         fs::is_regular_file(kPortrait, ec);
}

TEST(GeometryAumapCli, WritesLandmarkAndRegionSequencesAndVideo) {
  if (!have_inputs()) GTEST_SKIP() << "face models or sample portrait missing";
  test::TempDir dir("aumap_cli");
  std::ofstream(dir / "au.json") << R"({"au_set":"auhead30","fps":25,"frames":[)"
                                 << "[0,0,0,0,0,0,0,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0],"
                                 << "[0,0,0,0,0,0,0,0,0,0,0,0.8,0.8,0,0,0,0,0,0,0,0,0,0,0,0.5,0,0,0,0,0]]}";
  auto r = test::run_cli("aumap --au " + (dir / "au.json").string() + " --image " + kPortrait + " -o " + (dir / "maps").string() +
                         " --video " + (dir / "maps.mp4").string() + " --size 128");
  ASSERT_EQ(r.code, 0) << r.output;
  for (const char* sub : {"landmarks", "regions"})
    for (int i = 0; i < 2; ++i) {
      auto file = fs::path(dir / "maps") / sub / ("frame_00000" + std::to_string(i) + ".png");
      ASSERT_TRUE(fs::exists(file)) << file;
      cv::Mat img = media::load_image_rgb(file);
      EXPECT_EQ(img.size(), cv::Size(128, 128));
      EXPECT_GT(cv::countNonZero(img.reshape(1)), 100);
    }
  EXPECT_FALSE(fs::exists(fs::path(dir / "maps") / "landmarks" / "frame_000002.png"));
  EXPECT_TRUE(fs::exists(fs::path(dir / "maps") / "aumap.json"));
  EXPECT_GT(fs::file_size(dir / "maps.mp4"), 1000u);
}

TEST(GeometryAumapCli, BadArgumentsFailCleanly) {
  test::TempDir dir("aumap_cli_bad");
  auto r = test::run_cli("aumap --au " + (dir / "missing.json").string() + " --image " + kPortrait + " -o " + (dir / "maps").string());
  EXPECT_EQ(r.code, 3) << r.output;
  EXPECT_NE(r.output.find("missing.json"), std::string::npos);
  r = test::run_cli("aumap --au x.json --image y.jpg -o " + (dir / "maps").string() + " --size 101");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_FALSE(fs::exists(dir / "maps"));
}

}  // namespace
}  // namespace auhead
