#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "audio2au/alm/lora_linear.h"
#include "audio2au/alm/lora_merge.h"
#include "audio2au/alm/qwen2_audio_model.h"
#include "audio2au/alm/random_qwen2_audio.h"
#include "auhead/error.h"
#include "build_config.h"
#include "core/parity.h"
#include "checkpoint/safetensors.h"
#include "test_util.h"
#include "train/alm_lora_trainer.h"
#include "train/causal_lm_loss.h"
#include "train/lora_adapter.h"

namespace fs = std::filesystem;
using namespace auhead;
using namespace auhead::train;

namespace {

const fs::path kFixture = fs::path(AUHEAD_FIXTURES_DIR) / "qwen2_audio_lora_train";

// A tiny random Qwen2-Audio folder (vocabulary 151936 is the config's; the decoder is 32 wide).
fs::path tiny_model(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("auhead_lora_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  audio2au::alm::write_random_qwen2_audio(dir, audio2au::alm::qwen2_audio_config_json(32, 1, 32, 2, 2, 1, 64, false), 7);
  return dir;
}

}  // namespace

TEST(CausalLmLoss, ShiftsLabelsAndIgnoresMinus100) {
  // B 1, T 3, V 2: position 0 predicts label 1, position 1 is ignored; the last logit row is unused.
  torch::Tensor logits = torch::tensor({{{0.f, 1.f}, {3.f, -2.f}, {5.f, 5.f}}});
  torch::Tensor labels = torch::tensor({{7, 1, -100}}, torch::kLong);  // labels[0] is never a target
  CausalLmLoss l = causal_lm_loss(logits, labels);
  EXPECT_EQ(l.tokens, 1);
  EXPECT_NEAR(l.sum.item<double>(), std::log(1 + std::exp(-1.0)), 1e-6);  // -log softmax([0,1])[1]
  EXPECT_THROW(causal_lm_loss(logits, torch::tensor({{0, 2, 0}}, torch::kLong)), Error);  // outside V
}

TEST(CausalLmLoss, FromHiddenStatesEqualsTheFullLogitsLossAndGradient) {
  torch::manual_seed(3);
  torch::Tensor hidden = torch::randn({2, 6, 4}, torch::requires_grad());
  torch::Tensor head = torch::randn({9, 4});
  torch::Tensor labels = torch::tensor({{-100, -100, 3, 8, -100, -100}, {-100, 1, 0, -100, -100, 5}}, torch::kLong);
  CausalLmLoss full = causal_lm_loss(torch::matmul(hidden, head.t()), labels);
  torch::Tensor g_full = torch::autograd::grad({full.sum}, {hidden})[0];
  CausalLmLoss part = causal_lm_loss_of_hidden(hidden, labels, 9, [&](const torch::Tensor& h) { return torch::matmul(h, head.t()); });
  torch::Tensor g_part = torch::autograd::grad({part.sum}, {hidden})[0];
  EXPECT_EQ(part.tokens, 5);
  EXPECT_EQ(full.tokens, 5);
  EXPECT_NEAR(part.sum.item<double>(), full.sum.item<double>(), 1e-5);
  EXPECT_LT((g_part - g_full).abs().max().item<double>(), 1e-6);
  auto bad = [&] { causal_lm_loss_of_hidden(hidden, torch::tensor({{0, 9, 0, 0, 0, 0}, {0, 0, 0, 0, 0, 0}}, torch::kLong), 9,
                                            [&](const torch::Tensor& h) { return torch::matmul(h, head.t()); }); };
  EXPECT_THROW(bad(), Error);  // outside V
}

TEST(LoraLinear, AdapterEqualsTheMergedWeight) {
  torch::manual_seed(3);
  audio2au::alm::LoraLinear layer(6, 5);
  torch::Tensor x = torch::randn({2, 4, 6});
  torch::Tensor plain = layer(x);
  layer->attach_lora(3, 2.0, 0.0);
  EXPECT_TRUE(torch::allclose(layer(x), plain)) << "B starts at zero: the output is unchanged";
  torch::NoGradGuard no_grad;
  layer->lora_B->weight.normal_();
  torch::Tensor merged = layer->weight + 2.0 * torch::matmul(layer->lora_B->weight, layer->lora_A->weight);
  torch::Tensor want = torch::nn::functional::linear(x, merged, layer->bias);
  EXPECT_LT((layer(x) - want).abs().max().item<double>(), 1e-5);
}

TEST(LoraAdapter, SaveThenLoadAndMergeAgree) {
  fs::path dir = tiny_model("roundtrip");
  audio2au::alm::Qwen2AudioModel model = audio2au::alm::load_qwen2_audio(dir);
  LoraSpec spec;
  spec.r = 2;
  spec.alpha = 4;
  spec.dropout = 0;
  spec.targets = {"q_proj", "v_proj", "down_proj"};
  auto attached = attach_lora(*model, spec);
  EXPECT_EQ(attached.size(), 6u);  // 2 layers × 3 targets
  auto params = lora_parameters(*model);
  ASSERT_EQ(params.size(), 12u);
  EXPECT_EQ(params[0].first.rfind("base_model.model.language_model.model.layers.0.", 0), 0u) << params[0].first;
  {
    torch::NoGradGuard no_grad;
    for (auto& [k, t] : params) t.normal_(0, 0.05);
  }
  torch::Tensor ids = torch::arange(1, 9, torch::kLong).unsqueeze(0);
  torch::Tensor with_adapter;
  {
    torch::NoGradGuard no_grad;
    with_adapter = model->forward(model->embed(ids));
  }
  fs::path adapter = dir / "adapter";
  save_peft_adapter(*model, spec, adapter, "tiny");
  ASSERT_TRUE(fs::exists(adapter / "adapter_config.json"));
  auto cfg = audio2au::alm::read_lora_adapter_config(adapter / "adapter_config.json");
  EXPECT_EQ(cfg.r, 2);
  EXPECT_EQ(cfg.alpha, 4);

  // Loaded unmerged into a fresh model, and merged into another: the same logits.
  audio2au::alm::Qwen2AudioModel unmerged = audio2au::alm::load_qwen2_audio(dir);
  LoraSpec loaded = load_lora_adapter(*unmerged, adapter);
  EXPECT_EQ(loaded.r, 2);
  EXPECT_EQ(loaded.targets.size(), 3u);
  audio2au::alm::Qwen2AudioModel merged = audio2au::alm::load_qwen2_audio(dir);
  EXPECT_EQ(audio2au::alm::merge_peft_lora(*merged, adapter), 6);
  torch::NoGradGuard no_grad;
  EXPECT_LT((unmerged->forward(unmerged->embed(ids)) - with_adapter).abs().max().item<double>(), 1e-5);
  EXPECT_LT((merged->forward(merged->embed(ids)) - with_adapter).abs().max().item<double>(), 1e-4);
  fs::remove_all(dir);
}

TEST(LoraAdapter, BadAdaptersAreInputErrorsNamingTheFile) {
  fs::path dir = tiny_model("bad");
  audio2au::alm::Qwen2AudioModel model = audio2au::alm::load_qwen2_audio(dir);
  fs::create_directories(dir / "a");
  std::ofstream(dir / "a" / "adapter_config.json") << R"({"peft_type": "LORA", "r": 2, "lora_alpha": 4})";
  save_safetensors(dir / "a" / "adapter_model.safetensors",
                   {{"base_model.model.language_model.model.layers.9.self_attn.q_proj.lora_A.weight", torch::zeros({2, 32})},
                    {"base_model.model.language_model.model.layers.9.self_attn.q_proj.lora_B.weight", torch::zeros({32, 2})}});
  EXPECT_EQ(test::error_code_of([&] { load_lora_adapter(*model, dir / "a"); }), ExitCode::bad_input);
  save_safetensors(dir / "a" / "adapter_model.safetensors",
                   {{"base_model.model.language_model.model.layers.0.self_attn.q_proj.lora_A.weight", torch::zeros({2, 31})},
                    {"base_model.model.language_model.model.layers.0.self_attn.q_proj.lora_B.weight", torch::zeros({32, 2})}});
  try {
    load_lora_adapter(*model, dir / "a");
    ADD_FAILURE() << "a wrong shape was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("adapter_model.safetensors"), std::string::npos) << e.what();
  }
  LoraSpec spec;
  spec.targets = {"qkv"};
  EXPECT_EQ(test::error_code_of([&] { attach_lora(*model, spec); }), ExitCode::usage);
  fs::remove_all(dir);
}

TEST(AlmLoraTrainer, LossFallsOnARepeatedBatch) {
  fs::path dir = tiny_model("train");
  audio2au::alm::Qwen2AudioModel model = audio2au::alm::load_qwen2_audio(dir);
  LoraSpec spec;
  spec.r = 4;
  spec.alpha = 8;
  spec.dropout = 0;
  spec.targets = {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"};
  torch::manual_seed(5);
  attach_lora(*model, spec);
  AdamWSettings s;
  s.lr = 1e-2;
  AlmLoraTrainer trainer(model, s);
  AlmTrainBatch batch;
  batch.input_ids = torch::tensor({{5, 6, 7, 8, 9, 10, 11, 12}, {5, 6, 7, 8, 9, 0, 0, 0}}, torch::kLong);
  batch.labels = torch::tensor({{-100, -100, 7, 8, 9, 10, 11, 12}, {-100, -100, -100, 8, 9, -100, -100, -100}}, torch::kLong);
  EXPECT_EQ(answer_tokens(batch), 8);
  StepResult first = trainer.step({batch}, s.lr);
  EXPECT_TRUE(std::isfinite(first.loss));
  EXPECT_GT(first.grad_norm, 0);
  // Each of the first steps lowers the loss; a random 32-wide model with a frozen lm_head can only
  // move its logits by well under 1 (ln V = 11.9), so the total fall is small but clear.
  double previous = first.loss;
  StepResult last;
  for (int i = 0; i < 20; ++i) {
    last = trainer.step({batch}, s.lr);
    if (i < 4) {
      EXPECT_LT(last.loss, previous) << "step " << i + 2;
    }
    previous = last.loss;
  }
  EXPECT_LT(last.loss, first.loss - 0.15) << first.loss << " -> " << last.loss;
  fs::remove_all(dir);
}

TEST(AlmLoraTrainer, MicroBatchesMakeTheSameStepAsTheWholeBatch) {
  fs::path dir = tiny_model("accumulate");
  AlmTrainBatch batch;
  batch.input_ids = torch::tensor({{5, 6, 7, 8, 9, 10}, {5, 6, 7, 8, 0, 0}}, torch::kLong);
  batch.labels = torch::tensor({{-100, 6, 7, 8, 9, 10}, {-100, -100, 7, 8, -100, -100}}, torch::kLong);
  auto half = [&](int64_t i) { return AlmTrainBatch{batch.input_ids.narrow(0, i, 1), batch.labels.narrow(0, i, 1), {}}; };
  std::vector<std::vector<AlmTrainBatch>> plans{{batch}, {half(0), half(1)}};
  std::vector<std::vector<torch::Tensor>> after;
  std::vector<StepResult> results;
  for (const auto& plan : plans) {
    audio2au::alm::Qwen2AudioModel model = audio2au::alm::load_qwen2_audio(dir);
    torch::manual_seed(11);
    LoraSpec spec;
    spec.r = 2;
    spec.dropout = 0;
    attach_lora(*model, spec);
    {
      torch::NoGradGuard no_grad;
      for (auto& [k, t] : lora_parameters(*model)) t.normal_(0, 0.1);  // B non-zero: every matrix moves
    }
    AlmLoraTrainer trainer(model, AdamWSettings{});
    results.push_back(trainer.step(plan, 1e-3));
    after.emplace_back();
    for (auto& [k, t] : trainer.parameters()) after.back().push_back(t.detach().clone());
  }
  EXPECT_EQ(results[0].tokens, 7);
  EXPECT_EQ(results[1].tokens, 7);
  EXPECT_NEAR(results[0].loss, results[1].loss, 1e-5);
  EXPECT_NEAR(results[0].grad_norm, results[1].grad_norm, 1e-5 * std::max(1.0, results[0].grad_norm));
  for (std::size_t i = 0; i < after[0].size(); ++i)
    EXPECT_LT((after[0][i] - after[1][i]).abs().max().item<double>(), 1e-6) << i;
  fs::remove_all(dir);
}

TEST(AlmLoraTrainer, MatchesPyTorchOnTheTrainingFixture) {
  ParityReport report = run_parity(kFixture);
  ASSERT_FALSE(report.results.empty());
  int grads = 0;
  for (const auto& r : report.results) {
    EXPECT_TRUE(r.pass) << format_parity_line(r);
    grads += r.name.find(":grad.") != std::string::npos;
  }
  EXPECT_EQ(grads, 28);  // 2 layers × 7 projections × (A, B)
}
