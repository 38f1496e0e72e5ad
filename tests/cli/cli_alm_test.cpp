// End-to-end tests of the alm AU generator through the CLI, on a tiny random Qwen2-Audio folder.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "audio2au/alm/random_qwen2_audio.h"
#include "auhead/au_sequence.h"
#include "cli/cli_test_util.h"

using namespace auhead;
using namespace auhead::test;

namespace {
class CliAlm : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir("cli_alm");
    audio2au::alm::write_random_qwen2_audio(model(), audio2au::alm::qwen2_audio_config_json(32, 1, 32, 2, 4, 2, 64, true), 99);
  }
  static void TearDownTestSuite() { delete dir_; }
  static std::filesystem::path model() { return dir_->path() / "model"; }
  static std::string au_args() { return "--audio " + example("speech.wav") + " --au-generator alm --au-model " + model().string(); }
  static TempDir* dir_;
};
TempDir* CliAlm::dir_ = nullptr;
}  // namespace

TEST_F(CliAlm, AuWritesASequenceOfTheSpeechLength) {
  TempDir out("cli_alm_au");
  auto r = run_cli("-q au " + au_args() + " -o " + (out / "au.json").string());
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(r.output, "");
  AuSequence seq = read_au_file(out / "au.json");
  EXPECT_EQ(seq.fps, 25.0);
  EXPECT_NEAR(double(seq.frames.size()), 7.12 * 25, 1.0);
  ASSERT_TRUE(seq.emotion);
}

TEST_F(CliAlm, SamplingOptionsAndAGivenEmotion) {
  TempDir out("cli_alm_sampling");
  const std::string common = "-q au --audio " + example("speech.wav") + " --generator alm --model " + model().string() +
                             " --emotion happy --emotion-intensity 0.6 --temperature 0.8 --top-k 20 --top-p 0.9 --seed 3 -o ";
  auto a = run_cli(common + (out / "a.json").string());
  auto b = run_cli(common + (out / "b.json").string());
  ASSERT_EQ(a.code, 0) << a.output;
  ASSERT_EQ(b.code, 0) << b.output;
  AuSequence sa = read_au_file(out / "a.json"), sb = read_au_file(out / "b.json");
  EXPECT_EQ(sa, sb);  // seeded
  EXPECT_EQ(sa.emotion, (EmotionState{Emotion::happy, 0.6f}));
}

TEST_F(CliAlm, GenerateRunsBothStages) {
  TempDir out("cli_alm_generate");
  auto r = run_cli("-q generate --audio " + example("speech.wav") + " --au-generator alm --model " + model().string() + " --image " + example("portrait.jpg") + " --size 128 -o " +
                   (out / "v.mp4").string() + " --au-out " + (out / "au.csv").string());
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_TRUE(std::filesystem::exists(out / "v.mp4"));
  EXPECT_NEAR(double(read_au_file(out / "au.csv").frames.size()), 7.12 * 25, 1.0);
}

TEST_F(CliAlm, BadModelsAndOptionsAreOneLineErrors) {
  TempDir out("cli_alm_errors");
  const std::string o = " -o " + (out / "au.json").string();
  const std::string audio = "--audio " + example("speech.wav");
  auto r = run_cli("au " + audio + " --au-generator alm" + o);
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_EQ(r.output, "auhead: error: --au-generator alm needs --au-model DIR (a Qwen2-Audio checkpoint folder)\n");
  r = run_cli("au " + audio + " --au-generator alm --model " + (out / "nowhere").string() + o);
  EXPECT_EQ(r.code, 5) << r.output;
  EXPECT_EQ(r.output, "auhead: error: " + (out / "nowhere").string() + ": no such folder (--au-model)\n");
  r = run_cli("au " + au_args() + " --top-p 1.5" + o);
  EXPECT_EQ(r.code, 2) << r.output;
  r = run_cli("au " + au_args() + " --temperature -1" + o);
  EXPECT_EQ(r.code, 2) << r.output;
  r = run_cli("au " + au_args() + " --top-p 0" + o);
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_EQ(r.output, "auhead: error: --top-p must be in (0, 1], got 0\n");

  r = run_cli("au " + audio + " --temperature 0.5" + o);  // the phonetic generator does not sample
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_EQ(r.output, "auhead: error: --temperature applies to --au-generator alm\n");

  std::filesystem::create_directories(out / "broken");
  std::filesystem::copy(model() / "model.safetensors", out / "broken/model.safetensors");
  std::ofstream(out / "broken/config.json") << "{]";
  r = run_cli("au " + audio + " --au-generator alm --model " + (out / "broken").string() + o);
  EXPECT_EQ(r.code, 3) << r.output;
  EXPECT_EQ(r.output.rfind("auhead: error: " + (out / "broken/config.json").string() + ": ", 0), 0u) << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1);
  EXPECT_FALSE(std::filesystem::exists(out / "au.json"));
}
