// `auhead train alm` end to end: a tiny random model fine-tuned for two steps on generated clips, the
// output folder used as --au-model, and the command's bad inputs.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "audio2au/alm/au_answer.h"
#include "audio2au/alm/random_qwen2_audio.h"
#include "auhead/au_sequence.h"
#include "cli/cli_test_util.h"
#include "media/wav_writer.h"

using namespace auhead;
using namespace auhead::test;
namespace fs = std::filesystem;

namespace {
class CliTrain : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir("cli_train");
    audio2au::alm::write_random_qwen2_audio(path("model"), audio2au::alm::qwen2_audio_config_json(32, 1, 32, 2, 2, 1, 64, false), 21);
    fs::create_directories(path("clips"));
    std::ofstream jsonl(path("train.jsonl"));
    for (int i = 0; i < 3; ++i) {
      media::write_wav_pcm16(path("clips/" + std::to_string(i) + ".wav"), audio2au::alm::test_speech_signal(0.6 + 0.2 * i), 16000);
      std::vector<AuFrame> frames(3 + i);
      for (auto& f : frames) f[std::size_t(10 + i)] = 0.5f;
      jsonl << nlohmann::json{{"messages", {{{"role", "user"}, {"content", "<audio>Write the AUs."}},
                                            {{"role", "assistant"}, {"content", audio2au::alm::format_au_answer(EmotionState{Emotion::sad, 0.6f}, frames)}}}},
                              {"audios", {"clips/" + std::to_string(i) + ".wav"}}}
                   .dump()
            << "\n";
    }
  }
  static void TearDownTestSuite() { delete dir_; }
  static fs::path path(const std::string& name) { return dir_->path() / name; }
  static std::string args(const std::string& out) {
    return "train alm --model " + path("model").string() + " --data " + path("train.jsonl").string() + " -o " + path(out).string();
  }
  static TempDir* dir_;
};
TempDir* CliTrain::dir_ = nullptr;
}  // namespace

TEST_F(CliTrain, TrainsAnAdapterThatAuModelRuns) {
  const std::string options = " --max-steps 3 --save-every 2 --lora-r 2 --target q_proj,v_proj,down_proj --lr 1e-3";
  auto r = run_cli(args("out") + options + " --log-every 1");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("step 3/3"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("samples/s"), std::string::npos) << r.output;
  for (const char* f : {"adapter_config.json", "adapter_model.safetensors", "auhead_alm.json", "config.json",
                        "model.safetensors", "train_log.jsonl", "checkpoint-2/training_state.pt", "checkpoint-3/training_state.pt"})
    EXPECT_TRUE(fs::exists(path("out") / f)) << f;
  const nlohmann::json cfg = nlohmann::json::parse(std::ifstream(path("out/adapter_config.json")));
  EXPECT_EQ(cfg["peft_type"], "LORA");
  EXPECT_EQ(cfg["r"], 2);
  EXPECT_EQ(cfg["target_modules"].size(), 3u);

  auto au = run_cli("-q au --audio " + path("clips/0.wav").string() + " --au-generator alm --au-model " +
                    path("out").string() + " -o " + path("au.json").string());
  ASSERT_EQ(au.code, 0) << au.output;
  EXPECT_TRUE(read_au_file(path("au.json")).emotion);

  // A run stopped after its checkpoint at step 2 resumes from it with the same options.
  fs::remove_all(path("out/checkpoint-3"));
  auto quiet = run_cli("-q " + args("out") + options + " --resume latest");
  ASSERT_EQ(quiet.code, 0) << quiet.output;
  EXPECT_EQ(quiet.output, "");
  EXPECT_TRUE(fs::exists(path("out/checkpoint-3")));
}

TEST_F(CliTrain, BadInputsExitWithOneLine) {
  struct Case {
    std::string args;
    int code;
    std::string says;
  };
  const std::vector<Case> cases = {
      {"train", 2, ""},
      {"train alm --model " + path("model").string() + " -o " + path("x").string(), 2, "--data"},
      {"train alm --model " + path("model").string() + " --data " + path("none.jsonl").string() + " -o " + path("x").string(), 3, "none.jsonl"},
      {args("x") + " --precision fp8", 2, "--precision"},
      {args("x") + " --lora-r 0", 2, "--lora-r"},
      {args("x") + " --target qproj", 2, "qproj"},
      {args("x") + " --resume latest", 2, "no checkpoint"},
      {"train alm --model " + path("nomodel").string() + " --data " + path("train.jsonl").string() + " -o " + path("x").string(), 5, "nomodel"},
  };
  for (const auto& c : cases) {
    auto r = run_cli(c.args);
    EXPECT_EQ(r.code, c.code) << c.args << "\n" << r.output;
    EXPECT_NE(r.output.find(c.says), std::string::npos) << c.args << "\n" << r.output;
    EXPECT_LE(std::count(r.output.begin(), r.output.end(), '\n'), 2) << r.output;
  }
}
