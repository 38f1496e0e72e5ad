#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>

#include "audio2au/alm/lora_merge.h"
#include "audio2au/alm/qwen2_audio_model.h"
#include "auhead/error.h"
#include "build_config.h"
#include "checkpoint/safetensors.h"

namespace fs = std::filesystem;
using namespace auhead;
using namespace auhead::audio2au::alm;

namespace {
const fs::path kTiny = fs::path(AUHEAD_FIXTURES_DIR) / "qwen2_audio_tiny";

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("auhead_lora_" + std::to_string(::getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
};

torch::Tensor param(Qwen2AudioModel& m, const std::string& name) { return m->named_parameters()[name].clone(); }
}  // namespace

TEST(AlmLora, MergesScaledProductsIntoTheNamedWeights) {
  TempDir dir;
  torch::manual_seed(3);
  const std::string q = "language_model.model.layers.0.self_attn.q_proj", fc1 = "audio_tower.layers.1.fc1";
  TensorMap adapter = {
      {"base_model.model." + q + ".lora_A.weight", torch::randn({2, 64})},
      {"base_model.model." + q + ".lora_B.weight", torch::randn({64, 2})},
      {"base_model.model." + fc1 + ".lora_A.default.weight", torch::randn({2, 64})},
      {"base_model.model." + fc1 + ".lora_B.default.weight", torch::randn({256, 2})},
  };
  save_safetensors(dir.path / "adapter_model.safetensors", adapter);
  std::ofstream(dir.path / "adapter_config.json")
      << R"({"peft_type": "LORA", "r": 2, "lora_alpha": 4, "alpha_pattern": {"fc1": 8}, "bias": "none"})";
  Qwen2AudioModel model = load_qwen2_audio(kTiny);
  const torch::Tensor q0 = param(model, q + ".weight"), f0 = param(model, fc1 + ".weight");
  EXPECT_EQ(merge_peft_lora(*model, dir.path), 2);
  const auto& A = adapter;
  torch::Tensor q_expected = q0 + 2.0 * torch::matmul(A.at("base_model.model." + q + ".lora_B.weight"),
                                                       A.at("base_model.model." + q + ".lora_A.weight"));
  torch::Tensor f_expected = f0 + 4.0 * torch::matmul(A.at("base_model.model." + fc1 + ".lora_B.default.weight"),
                                                       A.at("base_model.model." + fc1 + ".lora_A.default.weight"));
  EXPECT_LT((param(model, q + ".weight") - q_expected).abs().max().item<double>(), 1e-5);
  EXPECT_LT((param(model, fc1 + ".weight") - f_expected).abs().max().item<double>(), 1e-5);
}

TEST(AlmLora, BadAdaptersNameTheFileAndKey) {
  TempDir dir;
  Qwen2AudioModel model = load_qwen2_audio(kTiny);
  save_safetensors(dir.path / "adapter_model.safetensors",
                   {{"base_model.model.nope.lora_A.weight", torch::zeros({2, 64})},
                    {"base_model.model.nope.lora_B.weight", torch::zeros({64, 2})}});
  std::ofstream(dir.path / "adapter_config.json") << R"({"r": 2, "lora_alpha": 4})";
  try {
    merge_peft_lora(*model, dir.path);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::bad_input);
    EXPECT_NE(std::string(e.what()).find("nope: no such linear weight"), std::string::npos) << e.what();
  }
  std::ofstream(dir.path / "adapter_config.json") << R"({"r": 2, "lora_alpha": 4, "use_dora": true})";
  try {
    merge_peft_lora(*model, dir.path);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("DoRA"), std::string::npos) << e.what();
  }
}
