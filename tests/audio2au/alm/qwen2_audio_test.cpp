#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdio>
#include <filesystem>

#include "audio2au/alm/qwen2_audio_model.h"
#include "auhead/error.h"
#include "build_config.h"
#include "core/parity.h"
#include "checkpoint/safetensors.h"
#include "cli/cli_test_util.h"

namespace fs = std::filesystem;
using namespace auhead;
using namespace auhead::audio2au::alm;

namespace {
const fs::path kFixtures = fs::path(AUHEAD_FIXTURES_DIR);

std::string parity_cli(const std::string& args, int* status) {
  const test::CliResult r = test::run_cli("-q parity " + args);
  *status = r.code;
  return r.output;
}
}  // namespace

TEST(AlmQwen2Audio, ConfigReadsTheHuggingFaceLayout) {
  const auto c = Qwen2AudioConfig::from_json_file(kFixtures / "qwen2_audio_tiny/config.json");
  EXPECT_EQ(c.audio_token_index, 997);
  EXPECT_EQ(c.audio.d_model, 64);
  ASSERT_TRUE(c.text.has_value());
  EXPECT_EQ(c.text->num_key_value_heads, 2);
  EXPECT_EQ(c.text->head_dim(), 16);
  EXPECT_DOUBLE_EQ(c.text->rope_theta, 1e6);
  EXPECT_FALSE(Qwen2AudioConfig::from_json_file(kFixtures / "qwen2_audio_tower/config.json").text.has_value());
}

TEST(AlmQwen2Audio, TowerFixturePasses) {
  ParityReport report = run_parity(kFixtures / "qwen2_audio_tower");
  ASSERT_EQ(report.results.size(), 2u);
  for (const auto& r : report.results) EXPECT_TRUE(r.pass) << format_parity_line(r);
}

TEST(AlmQwen2Audio, TinyFixturePasses) {
  ParityReport report = run_parity(kFixtures / "qwen2_audio_tiny");
  ASSERT_EQ(report.results.size(), 5u);  // audio_tower_out, audio_embeds, logits, greedy ids, text-only logits
  for (const auto& r : report.results) EXPECT_TRUE(r.pass) << format_parity_line(r);
}

TEST(AlmQwen2Audio, CachedAndUncachedGreedyGiveTheSameIds) {
  Qwen2AudioModel model = load_qwen2_audio(kFixtures / "qwen2_audio_tiny");
  SafetensorsFile io(kFixtures / "qwen2_audio_tiny/io.safetensors");
  torch::InferenceMode guard;
  torch::Tensor audio = model->encode_audio(io.get("input_features", true));
  torch::Tensor ids = io.get("input_ids", true);
  auto cached = model->generate_greedy(ids, audio, 24, {}, true);
  auto uncached = model->generate_greedy(ids, audio, 24, {}, false);
  EXPECT_EQ(cached.size(), 24u);
  EXPECT_EQ(cached, uncached);
  // And the cached logits of a prompt split in two match the logits of the whole prompt.
  torch::Tensor e = model->embed(io.get("text_only_ids", true));
  KvCache cache;
  torch::Tensor first = model->forward(e.narrow(1, 0, 5), &cache);
  torch::Tensor second = model->forward(e.narrow(1, 5, e.size(1) - 5), &cache);
  EXPECT_EQ(cache.length(), e.size(1));
  torch::Tensor whole = model->forward(e);
  EXPECT_LT((torch::cat({first, second}, 1) - whole).abs().max().item<double>(), 1e-4);
}

TEST(AlmQwen2Audio, ShortAudioMasksThePaddingAndYieldsItsOwnLength) {
  EXPECT_EQ(qwen2_audio_output_length(3000), 750);
  EXPECT_EQ(qwen2_audio_output_length(299), 75);
  EXPECT_EQ(qwen2_audio_output_length(400), 100);
  Qwen2AudioModel model = load_qwen2_audio(kFixtures / "qwen2_audio_tiny");
  SafetensorsFile io(kFixtures / "qwen2_audio_tiny/io.safetensors");
  torch::InferenceMode guard;
  torch::Tensor features = io.get("input_features", true);
  // A full window masks nothing.
  torch::Tensor full = model->encode_audio(features);
  EXPECT_EQ((model->encode_audio(features, 3000) - full).abs().max().item<double>(), 0.0);
  // 400 valid frames: 100 embeddings, which the padding beyond the convolutions' reach cannot change.
  torch::Tensor short_a = model->encode_audio(features, 400);
  ASSERT_EQ(short_a.sizes(), (std::vector<int64_t>{1, 100, 64}));
  torch::Tensor noisy = features.clone();
  noisy.narrow(2, 402, 3000 - 402).copy_(torch::randn({1, 128, 3000 - 402}));
  EXPECT_LT((model->encode_audio(noisy, 400) - short_a).abs().max().item<double>(), 1e-5);
  EXPECT_GT((short_a - full.narrow(1, 0, 100)).abs().max().item<double>(), 1e-4);  // the mask matters
  // The prompt takes exactly that many audio tokens.
  std::vector<int64_t> ids = {5, 998};
  ids.insert(ids.end(), 100, 997);
  ids.push_back(999);
  torch::Tensor logits = model->forward(model->embed(torch::tensor(ids).view({1, -1}), short_a));
  EXPECT_EQ(logits.size(1), 103);
}

TEST(AlmQwen2Audio, AudioTokenCountMismatchIsAnError) {
  Qwen2AudioModel model = load_qwen2_audio(kFixtures / "qwen2_audio_tiny");
  torch::InferenceMode guard;
  torch::Tensor ids = torch::tensor({1, 997, 997, 2}).view({1, 4});
  try {
    model->embed(ids, torch::zeros({1, 3, 64}));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::usage);
    EXPECT_NE(std::string(e.what()).find("2 audio tokens"), std::string::npos) << e.what();
  }
}

TEST(AlmQwen2Audio, CliParityAcceptsBothLayoutsAndTheRoot) {
  int status = 0;
  std::string out = parity_cli("--fixtures " + (kFixtures / "qwen2_audio_tiny").string(), &status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("qwen2_audio_tiny:greedy_next_ids"), std::string::npos) << out;
  out = parity_cli("--fixtures " + (kFixtures / "qwen2_audio_tower").string(), &status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("qwen2_audio_tower:encoder_layers_out"), std::string::npos) << out;
  EXPECT_EQ(out.find("FAIL"), std::string::npos) << out;
  // The fixtures root: both Qwen2-Audio folders and the log-mel file are found.
  out = parity_cli("--fixtures " + kFixtures.string(), &status);
  EXPECT_EQ(status, 0) << out;
  for (const char* name : {"qwen2_audio_tower:audio_tower_out", "qwen2_audio_tiny:logits", "whisper_logmel:speech_logmel128"})
    EXPECT_NE(out.find(name), std::string::npos) << out;
  EXPECT_EQ(out.find("FAIL"), std::string::npos) << out;
}
