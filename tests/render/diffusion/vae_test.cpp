#include <gtest/gtest.h>
#include <torch/torch.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "auhead/error.h"
#include "build_config.h"
#include "core/atomic_file.h"
#include "checkpoint/safetensors.h"
#include "checkpoint/state_dict.h"
#include "render/diffusion/autoencoder_kl.h"
#include "render/diffusion/parity_compare.h"

namespace fs = std::filesystem;
using namespace auhead;
using namespace auhead::render::diffusion;

namespace {
const fs::path kFixtures = fs::path(AUHEAD_FIXTURES_DIR) / "diffusion";
}

TEST(DiffusionVae, ReproducesReferenceEncodeAndDecode) {
  AutoencoderKL vae = load_autoencoder_kl(kFixtures / "vae");
  EXPECT_EQ(vae->config().block_out_channels, (std::vector<int64_t>{32, 64}));
  TensorMap io = load_safetensors(kFixtures / "vae_io.safetensors");
  torch::InferenceMode guard;
  LatentMoments m = vae->encode(io["image"]);
  for (const auto& r : {compare_tensors("latent_mean", m.mean, io["latent_mean"]),
                        compare_tensors("latent_logvar", m.logvar, io["latent_logvar"]),
                        compare_tensors("decode_out", vae->decode(io["decode_in"]), io["decode_out"])}) {
    EXPECT_TRUE(r.pass) << r.name << " max error " << r.max_error << " > " << r.tolerance;
  }
}

TEST(DiffusionVae, LegacyAttentionKeyNamesLoad) {
  TensorMap state = load_safetensors(kFixtures / "vae/diffusion_pytorch_model.safetensors");
  TensorMap legacy;
  for (auto& [k, t] : state) {
    std::string key = k;
    torch::Tensor v = t;
    for (auto [from, to] : {std::pair{".to_q.", ".query."}, {".to_k.", ".key."}, {".to_v.", ".value."},
                            {".to_out.0.", ".proj_attn."}}) {
      auto pos = key.find(from);
      if (pos != std::string::npos) {
        key.replace(pos, std::strlen(from), to);
        if (v.dim() == 2) v = v.unsqueeze(-1).unsqueeze(-1);  // old checkpoints: 1x1 conv weights
      }
    }
    legacy[key] = v;
  }
  EXPECT_TRUE(legacy.count("encoder.mid_block.attentions.0.proj_attn.weight"));
  convert_legacy_vae_attention_keys(legacy);
  AutoencoderKL vae(VaeConfig::from_file(kFixtures / "vae/config.json"));
  load_state_dict(*vae, legacy, "legacy");
  AutoencoderKL ref = load_autoencoder_kl(kFixtures / "vae");
  torch::InferenceMode guard;
  torch::Tensor z = torch::randn({1, 4, 8, 8});
  EXPECT_TRUE(torch::allclose(vae->decode(z), ref->decode(z)));
}

// The full-size sd-vae-ft-mse built from its config has exactly the public checkpoint's keys and shapes.
TEST(DiffusionVae, FullSizeVaeMatchesCheckpointManifest) {
  auto manifest = nlohmann::json::parse(read_text_file(kFixtures / "checkpoint_manifests.json"))["vae"];
  AutoencoderKL vae(VaeConfig::sd_vae_ft_mse());
  TensorMap ours = module_state(*vae);
  std::map<std::string, std::vector<int64_t>> expected;
  for (auto it = manifest["shapes"].begin(); it != manifest["shapes"].end(); ++it)
    expected[it.key()] = it.value().get<std::vector<int64_t>>();
  EXPECT_EQ(expected.size(), manifest["num_tensors"].get<std::size_t>());
  int64_t params = 0;
  for (const auto& [k, t] : ours) {
    params += t.numel();
    auto it = expected.find(k);
    if (it == expected.end()) {
      ADD_FAILURE() << "not in the checkpoint: " << k;
      continue;
    }
    EXPECT_EQ(t.sizes().vec(), it->second) << k;
  }
  for (const auto& [k, s] : expected) EXPECT_TRUE(ours.count(k)) << "missing from our model: " << k;
  EXPECT_EQ(params, manifest["num_params"].get<int64_t>());
}

TEST(DiffusionVae, BadConfigAndMissingWeightsAreInputErrors) {
  fs::path dir = fs::temp_directory_path() / ("auhead_vae_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  write_text_file_atomic(dir / "config.json", R"({"block_out_channels": "wide"})");
  try {
    VaeConfig::from_file(dir / "config.json");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind((dir / "config.json").string() + ": bad config: block_out_channels", 0), 0u) << e.what();
  }
  write_text_file_atomic(dir / "config.json", R"({"block_out_channels": [32, 64], "layers_per_block": 1})");
  try {
    load_autoencoder_kl(dir);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("diffusion_pytorch_model.safetensors: no such file"), std::string::npos) << e.what();
  }
  fs::remove_all(dir);
}
