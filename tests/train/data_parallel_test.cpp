// Data-parallel `train alm` and `train render` (issue #18, item 6): two CPU processes with Gloo on
// loopback, each taking half of every global batch, end with the adapter that one process training on
// the same global batch writes; bad rendezvous settings are one-line errors.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "audio2au/alm/au_answer.h"
#include "audio2au/alm/random_qwen2_audio.h"
#include "cli/cli_test_util.h"
#include "checkpoint/safetensors.h"
#include "media/wav_writer.h"
#include "train/render_test_set.h"

namespace fs = std::filesystem;
using namespace auhead;

namespace {

// A port the kernel says is free now.
int free_port() {
  const int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(s);
  return ntohs(a.sin_port);
}

// Runs `cli` (a command line without the rank) as ranks 0 and 1 of a two-process Gloo group on
// loopback; returns both exit codes and logs.
std::string run_two_ranks(const std::string& cli, const fs::path& dir) {
  const std::string env = "MASTER_ADDR=127.0.0.1 MASTER_PORT=" + std::to_string(free_port()) + " WORLD_SIZE=2 ";
  const std::string codes = (dir / "codes").string();
  std::string cmd;
  for (int r = 0; r < 2; ++r) {
    const std::string log = (dir / ("rank" + std::to_string(r) + ".log")).string();
    cmd += "(" + env + "RANK=" + std::to_string(r) + " " + cli + " > " + log + " 2>&1; echo rank" + std::to_string(r) +
           " $? >> " + codes + ") & ";
  }
  return test::run_shell(cmd + "wait; cat " + codes + " " + (dir / "rank0.log").string() + " " + (dir / "rank1.log").string()).output;
}

// The largest difference between two files' tensors, and their largest value.
std::pair<double, double> largest_difference(const fs::path& one, const fs::path& two) {
  TensorMap a = load_safetensors(one, true), b = load_safetensors(two, true);
  EXPECT_EQ(a.size(), b.size());
  double worst = 0, size = 0;
  for (const auto& [k, t] : a) {
    if (!b.count(k)) return {1e9, 0};
    worst = std::max(worst, (t - b.at(k)).abs().max().item<double>());
    size = std::max(size, t.abs().max().item<double>());
  }
  std::printf("largest difference %.3g (values up to %.3g)\n", worst, size);
  return {worst, size};
}

}  // namespace

TEST(DataParallelTraining, TwoGlooProcessesTrainTheRenderAdapterAsOneProcessOnTheSameGlobalBatch) {
  test::TempDir dir("data_parallel_render");
  test::assemble_diffusion_base(dir.path() / "base");
  test::write_stage2_clip(dir.path() / "set" / "stage2", "clip", 9, 64);
  const std::string common = "train render -q --model " + (dir.path() / "base").string() + " --data " +
                             (dir.path() / "set").string() + " --max-steps 2 --lr 1e-3 --device cpu";
  auto one = test::run_cli(common + " --batch-size 4 -o " + (dir.path() / "one").string());
  ASSERT_EQ(one.code, 0) << one.output;
  const std::string two = run_two_ranks(std::string(AUHEAD_CLI_PATH) + " " + common + " --batch-size 2 -o " +
                                            (dir.path() / "two").string(),
                                        dir.path());
  EXPECT_NE(two.find("rank0 0"), std::string::npos) << two;
  EXPECT_NE(two.find("rank1 0"), std::string::npos) << two;
  const auto [worst, size] = largest_difference(dir.path() / "one" / "au_adapter.safetensors", dir.path() / "two" / "au_adapter.safetensors");
  const TensorMap a = load_safetensors(dir.path() / "one" / "au_adapter.safetensors");
  double trained = 0;  // the AU cross-attentions' output projections start at zero
  for (const auto& [k, t] : a)
    if (k.find("attn_au.to_out.0.weight") != std::string::npos) trained += t.abs().sum().item<double>();
  EXPECT_GT(trained, 0);
  EXPECT_LT(worst, 1e-5 * std::max(1.0, size)) << "largest difference " << worst;
  EXPECT_FALSE(fs::exists(dir.path() / "two" / "checkpoint-2.tmp"));
}

TEST(DataParallelTraining, TwoGlooProcessesEqualOneProcessOnTheSameGlobalBatch) {
  test::TempDir dir("data_parallel");
  audio2au::alm::write_random_qwen2_audio(dir.path() / "model", audio2au::alm::qwen2_audio_config_json(32, 1, 32, 2, 2, 1, 64, false), 13);
  fs::create_directories(dir.path() / "clips");
  std::ofstream jsonl(dir.path() / "train.jsonl");
  for (int i = 0; i < 6; ++i) {
    std::vector<float> audio = audio2au::alm::test_speech_signal(0.6 + 0.2 * i);  // lengths differ: padding differs per rank
    const std::string clip = "clips/" + std::to_string(i) + ".wav";
    media::write_wav_pcm16(dir.path() / clip, audio, 16000);
    std::vector<AuFrame> frames(3);
    for (auto& f : frames) f[std::size_t(3 * i)] = 0.15f * float(i + 1);
    const nlohmann::json line = {
        {"messages", {{{"role", "user"}, {"content", "<audio>Write the AUs."}},
                      {{"role", "assistant"}, {"content", audio2au::alm::format_au_answer(EmotionState{Emotion::sad, 0.4f}, frames)}}}},
        {"audios", {clip}}};
    jsonl << line.dump() << "\n";
  }
  jsonl.close();
  const std::string common = "train alm -q --model " + (dir.path() / "model").string() + " --data " +
                             (dir.path() / "train.jsonl").string() +
                             " --max-steps 3 --lora-r 4 --lora-dropout 0 --target q_proj,v_proj,down_proj --lr 5e-3";

  auto one = test::run_cli(common + " --batch-size 2 -o " + (dir.path() / "one").string());
  ASSERT_EQ(one.code, 0) << one.output;

  const std::string cli = std::string(AUHEAD_CLI_PATH) + " " + common + " --batch-size 1 -o " + (dir.path() / "two").string();
  const std::string two = run_two_ranks(cli, dir.path());
  EXPECT_NE(two.find("rank0 0"), std::string::npos) << two;
  EXPECT_NE(two.find("rank1 0"), std::string::npos) << two;
  ASSERT_EQ(load_safetensors(dir.path() / "one" / "adapter_model.safetensors").size(), 12u);  // 2 layers x 3 modules x (A, B)
  const auto [worst, size] = largest_difference(dir.path() / "one" / "adapter_model.safetensors", dir.path() / "two" / "adapter_model.safetensors");
  EXPECT_GT(size, 1e-3);
  EXPECT_LT(worst, 1e-5 * std::max(1.0, size)) << "largest difference " << worst;
  // The same losses, and one log, written by rank 0.
  std::ifstream la(dir.path() / "one" / "train_log.jsonl"), lb(dir.path() / "two" / "train_log.jsonl");
  int lines = 0;
  for (std::string x, y; std::getline(la, x) && std::getline(lb, y); ++lines)
    EXPECT_NEAR(nlohmann::json::parse(x)["loss"].get<double>(), nlohmann::json::parse(y)["loss"].get<double>(), 1e-5);
  EXPECT_EQ(lines, 3);

  // Rendezvous settings that cannot work are one-line usage errors naming the variable.
  auto bad = test::run_shell("WORLD_SIZE=2 RANK=5 MASTER_ADDR=127.0.0.1 MASTER_PORT=1 " + cli + " 2>&1");
  EXPECT_EQ(bad.code, 2) << bad.output;
  EXPECT_NE(bad.output.find("RANK"), std::string::npos) << bad.output;
  bad = test::run_shell("WORLD_SIZE=2 RANK=0 " + cli + " 2>&1");
  EXPECT_EQ(bad.code, 2) << bad.output;
  EXPECT_NE(bad.output.find("MASTER_PORT"), std::string::npos) << bad.output;
}
