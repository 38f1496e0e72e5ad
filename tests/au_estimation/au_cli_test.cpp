// `auhead au --video/--image` end to end: a video rendered from known AUs reads back; a photo and
// its mirror image swap sides; the export formats; bad inputs end with one line and no output file.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "auhead/au_sequence.h"
#include "eval/stats.h"
#include "cli/cli_test_util.h"
#include "face/face_analyzer.h"
#include "media/media_test_util.h"

namespace auhead {
namespace {

using test::example;
using test::run_cli;
using test::TempDir;

int au(const char* name) { return *find_au(name); }


// 4 s at 25 fps (rendered on the astronaut: FaceMesh does not see lids close behind Grace Hopper's
// glasses at this size): a neutral second, then the jaw, a smile, a brow raise and two blinks.
AuSequence known_aus() {
  AuSequence s;
  s.fps = 25;
  s.frames.assign(100, AuFrame{});
  for (int t = 25; t < 100; ++t) {
    s.frames[t][au("jaw_drop")] = float(0.5 - 0.5 * std::cos((t - 25) * 0.35));
    s.frames[t][au("lip_corner_raise_left")] = s.frames[t][au("lip_corner_raise_right")] =
        (t >= 45 && t < 70) ? 0.8f : 0.f;
    s.frames[t][au("brow_raise_left")] = s.frames[t][au("brow_raise_right")] = (t >= 70 && t < 90) ? 0.9f : 0.f;
  }
  for (int t : {40, 41, 42, 80, 81, 82}) s.frames[t][0] = s.frames[t][1] = 1.f;
  return s;
}

bool have_models() { return std::filesystem::exists(example("portrait.jpg")); }

class AuCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir("au_cli");
    write_au_file(*dir_ / "truth.json", known_aus());
    auto r = run_cli("-q render --au " + (*dir_ / "truth.json").string() + " --image " + example("astronaut.png") +
                     " --still --size 512 -o " + (*dir_ / "video.mp4").string());
    ASSERT_EQ(r.code, 0) << r.output;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static TempDir* dir_;
};
TempDir* AuCli::dir_ = nullptr;

TEST_F(AuCli, VideoRenderedFromKnownAusReadsBack) {
  auto r = run_cli("-q au --video " + (*dir_ / "video.mp4").string() + " -o " + (*dir_ / "read.json").string() +
                   " --plot " + (*dir_ / "read.png").string());
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_TRUE(r.output.empty()) << r.output;
  AuSequence read = read_au_file(*dir_ / "read.json"), truth = known_aus();
  ASSERT_EQ(read.frames.size(), truth.frames.size());
  EXPECT_DOUBLE_EQ(read.fps, 25.0);
  EXPECT_TRUE(std::filesystem::exists(*dir_ / "read.png"));
  for (const char* name : {"jaw_drop", "lip_corner_raise_left", "lip_corner_raise_right", "brow_raise_left",
                           "eye_closure_left", "eye_closure_right"}) {
    std::vector<double> a, b;
    for (size_t t = 0; t < truth.frames.size(); ++t) {
      a.push_back(truth.frames[t][au(name)]);
      b.push_back(read.frames[t][au(name)]);
    }
    EXPECT_GT(eval::pearson(a, b), 0.8) << name;
  }
  // A full 3-frame blink reads 0.26-0.48 at its peak with the attention mesh (FaceMesh v1: 0.17-0.30;
  // the bilateral smoothing in time takes some of a blink this short).
  for (const char* name : {"eye_closure_left", "eye_closure_right"})
    for (int t0 : {40, 80}) {
      float peak = 0;
      for (int t = t0; t < t0 + 3; ++t) peak = std::max(peak, read.frames[t][au(name)]);
      EXPECT_GT(peak, face::FaceAnalyzer::reading_mesh_model() == face::MeshModel::attention ? 0.2f : 0.1f)
          << name << " at frame " << t0;
    }
  for (int t = 2; t < 22; ++t)  // the neutral second
    for (int k = 0; k < kNumAus; ++k) EXPECT_LT(read.frames[t][k], 0.12) << "frame " << t << " " << au_info(k).name;
}

TEST_F(AuCli, ExportFormats) {
  auto r = run_cli("-q au --video " + (*dir_ / "video.mp4").string() + " --format arkit-csv -o " +
                   (*dir_ / "arkit.csv").string());
  ASSERT_EQ(r.code, 0) << r.output;
  std::ifstream in(*dir_ / "arkit.csv");
  std::string header;
  std::getline(in, header);
  EXPECT_EQ(header.rfind("Timecode,BlendShapeCount,EyeBlinkLeft,", 0), 0u) << header;
  r = run_cli("-q au --video " + (*dir_ / "video.mp4").string() + " --format openface-csv -o " +
              (*dir_ / "openface.csv").string());
  ASSERT_EQ(r.code, 0) << r.output;
  AuSequence back = read_au_file(*dir_ / "openface.csv");  // the OpenFace import reads it
  EXPECT_EQ(back.frames.size(), 100u);
  r = run_cli("-q au-convert " + (*dir_ / "openface.csv").string() + " " + (*dir_ / "again.json").string());
  EXPECT_EQ(r.code, 0) << r.output;
}

TEST(AuCliImage, MirrorImageSwapsSides) {
  if (!have_models()) GTEST_SKIP();
  TempDir dir("au_cli_mirror");
  cv::Mat img = cv::imread(example("astronaut.png"));
  ASSERT_FALSE(img.empty());
  cv::Mat flipped;
  cv::flip(img, flipped, 1);
  cv::imwrite((dir / "mirror.png").string(), flipped);
  auto r = run_cli("-q au --image " + example("astronaut.png") + " -o " + (dir / "a.json").string());
  ASSERT_EQ(r.code, 0) << r.output;
  r = run_cli("-q au --image " + (dir / "mirror.png").string() + " -o " + (dir / "b.json").string());
  ASSERT_EQ(r.code, 0) << r.output;
  AuSequence a = read_au_file(dir / "a.json"), b = read_au_file(dir / "b.json");
  ASSERT_EQ(a.frames.size(), 1u);
  for (int k = 0; k < kNumAus; ++k) {
    int other = au_info(k).mirror >= 0 ? au_info(k).mirror : k;
    EXPECT_NEAR(a.frames[0][k], b.frames[0][other], 0.05) << au_info(k).name;
  }
  // The astronaut smiles.
  EXPECT_GT(a.frames[0][au("lip_corner_raise_left")], 0.3f);
  EXPECT_GT(a.frames[0][au("lip_corner_raise_right")], 0.3f);
}

TEST(AuCliErrors, BadInputsEndWithOneLineAndNoOutput) {
  if (!have_models()) GTEST_SKIP();
  TempDir dir("au_cli_errors");
  const std::string out = (dir / "out.json").string();
  auto r = run_cli("au --video x.mp4 --audio " + example("speech.wav") + " -o " + out);
  EXPECT_EQ(r.code, 2) << r.output;
  r = run_cli("au --video " + example("speech.wav") + " --emotion happy -o " + out);
  EXPECT_EQ(r.code, 2) << r.output;
  r = run_cli("au --video " + (dir / "missing.mp4").string() + " -o " + out);
  EXPECT_EQ(r.code, 3) << r.output;
  EXPECT_NE(r.output.find("missing.mp4"), std::string::npos) << r.output;
  // A video without a face.
  media::test::EncodeSpec spec;
  spec.video = true;
  spec.video_seconds = 1.0;
  media::test::encode_test_media(dir / "noface.mp4", media::test::test_signal(16000, 1, 1.0), spec);
  r = run_cli("au --video " + (dir / "noface.mp4").string() + " -o " + out);
  EXPECT_EQ(r.code, 3) << r.output;
  EXPECT_NE(r.output.find("no face found in any frame"), std::string::npos) << r.output;
  // A photo without a face, and one that is not an image.
  r = run_cli("au --image " + example("speech.wav") + " -o " + out);
  EXPECT_EQ(r.code, 3) << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
  EXPECT_EQ(dir.entries(), 1u) << "only noface.mp4 may be there";
}

// generate --driving-video: the astronaut's video drives Grace Hopper; what the output shows reads
// back as the driving AUs (jaw and smile), and the AU file carries the driving head pose.
TEST_F(AuCli, DrivingVideoTransfersAus) {
  const std::string out = (*dir_ / "driven.mp4").string(), au_out = (*dir_ / "driven.json").string();
  auto r = run_cli("-q generate --driving-video " + (*dir_ / "video.mp4").string() + " --image " +
                   example("portrait.jpg") + " --size 256 -o " + out + " --au-out " + au_out);
  ASSERT_EQ(r.code, 0) << r.output;
  AuSequence driven = read_au_file(au_out);
  EXPECT_EQ(driven.frames.size(), 100u);
  EXPECT_EQ(driven.head_pose.size(), 100u);
  r = run_cli("-q au --video " + out + " -o " + (*dir_ / "driven_read.json").string());
  ASSERT_EQ(r.code, 0) << r.output;
  AuSequence read = read_au_file(*dir_ / "driven_read.json"), truth = known_aus();
  ASSERT_EQ(read.frames.size(), truth.frames.size());
  for (const char* name : {"jaw_drop", "lip_corner_raise_left"}) {
    std::vector<double> a, b;
    for (size_t t = 0; t < truth.frames.size(); ++t) {
      a.push_back(truth.frames[t][au(name)]);
      b.push_back(read.frames[t][au(name)]);
    }
    EXPECT_GT(eval::pearson(a, b), 0.7) << name;
  }
  // Usage errors.
  EXPECT_EQ(run_cli("generate --image " + example("portrait.jpg") + " -o " + out).code, 2);
  EXPECT_EQ(run_cli("generate --audio " + example("speech.wav") + " --drive pose --image " + example("portrait.jpg") +
                    " -o " + out).code, 2);
}

TEST_F(AuCli, TruncatedVideoIsAnError) {
  std::ifstream in(*dir_ / "video.mp4", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  TempDir dir("au_cli_truncated");
  media::test::write_bytes(dir / "cut.mp4", bytes.substr(0, bytes.size() * 6 / 10));
  auto r = run_cli("au --video " + (dir / "cut.mp4").string() + " -o " + (dir / "out.json").string());
  EXPECT_EQ(r.code, 3) << r.output;
  EXPECT_NE(r.output.find("cut.mp4"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "out.json"));
}

}  // namespace
}  // namespace auhead
