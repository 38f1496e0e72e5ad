// Random model sets for benchmarks: the tiny preset runs one guided step, seeds are reproducible, and the
// sd15 preset (built on the meta device) has the public checkpoints' tensor and parameter counts.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "auhead/error.h"
#include "build_config.h"
#include "core/atomic_file.h"
#include "checkpoint/state_dict.h"
#include "render/diffusion/au_guidance.h"
#include "render/diffusion/meta_device_test_util.h"
#include "render/diffusion/random_diffusion_models.h"

namespace fs = std::filesystem;
using namespace auhead;
using namespace auhead::render::diffusion;

TEST(DiffusionRandomModels, TinyPresetRunsOneGuidedStep) {
  DiffusionModels m = make_random_diffusion_models(DiffusionModelConfigs::preset("tiny"), /*au_adapter=*/true, 1);
  place_models(m, "cpu", "fp32");
  ASSERT_TRUE(m.denoising_unet->has_au_adapter());
  EXPECT_FALSE(m.image_encoder);
  torch::InferenceMode guard;
  const int64_t frames = 2, latent = 8;
  torch::manual_seed(0);
  const torch::Tensor image = torch::rand({1, 3, latent * 8, latent * 8}) * 2 - 1;
  const torch::Tensor ref_latent = m.vae->encode(image).mean;
  ASSERT_EQ(ref_latent.sizes().vec(), (std::vector<int64_t>{1, 4, latent, latent}));
  const torch::Tensor embeds = torch::randn({1, 1, m.denoising_unet->config().cross_attention_dim});
  ReferenceBank bank;
  m.reference_unet->write_reference(ref_latent, torch::zeros({1}), embeds, bank);
  const auto features = m.pose_guider->forward(torch::rand({1, 3, frames, latent * 8, latent * 8}));
  const torch::Tensor x = torch::randn({1, 4, frames, latent, latent});
  const torch::Tensor eps = au_guided_prediction(*m.denoising_unet, x, torch::full({1}, 500.0), embeds, features, bank,
                                                 torch::rand({1, frames, 30}), GuidanceScales{});
  EXPECT_EQ(eps.sizes(), x.sizes());
  EXPECT_TRUE(eps.isfinite().all().item<bool>());
  EXPECT_EQ(m.vae->decode(x.select(2, 0)).sizes().vec(), image.sizes().vec());
}

TEST(DiffusionRandomModels, SameSeedSameWeights) {
  const auto configs = DiffusionModelConfigs::preset("tiny");
  const auto weights = [&](uint64_t seed) { return module_state(*make_random_diffusion_models(configs, false, seed).denoising_unet); };
  const TensorMap a = weights(7), b = weights(7), c = weights(8);
  const std::string key = "down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.weight";
  ASSERT_TRUE(a.count(key));
  EXPECT_TRUE(torch::equal(a.at(key), b.at(key)));
  EXPECT_FALSE(torch::equal(a.at(key), c.at(key)));
}

TEST(DiffusionRandomModels, Sd15PresetHasTheCheckpointSizes) {
  const auto manifests = nlohmann::json::parse(
      read_text_file(fs::path(AUHEAD_FIXTURES_DIR) / "diffusion/checkpoint_manifests.json"));
  DiffusionModels m = test::build_on_meta(
      [] { return make_random_diffusion_models(DiffusionModelConfigs::preset("sd15"), false, 0); });
  const std::pair<const char*, const torch::nn::Module*> modules[] = {{"vae", m.vae.get()},
                                                                      {"reference_unet", m.reference_unet.get()},
                                                                      {"denoising_unet", m.denoising_unet.get()},
                                                                      {"pose_guider", m.pose_guider.get()}};
  for (const auto& [name, module] : modules) {
    const TensorMap state = module_state(*module);
    int64_t numel = 0;
    for (const auto& [k, t] : state) numel += t.numel();  // the manifests count buffers too
    EXPECT_EQ(state.size(), manifests[name]["num_tensors"].get<std::size_t>()) << name;
    EXPECT_EQ(numel, manifests[name]["num_params"].get<int64_t>()) << name;
  }
  EXPECT_FALSE(torch::zeros({1}).is_meta());
}

TEST(DiffusionRandomModels, UnknownPresetIsAUsageError) {
  try {
    DiffusionModelConfigs::preset("sdxl");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::usage);
    EXPECT_NE(std::string(e.what()).find("sd15 or tiny"), std::string::npos) << e.what();
  }
}
