#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "build_config.h"
#include "core/atomic_file.h"
#include "checkpoint/safetensors.h"
#include "checkpoint/state_dict.h"
#include "render/diffusion/meta_device_test_util.h"
#include "render/diffusion/parity_compare.h"
#include "render/diffusion/unet_condition_model.h"

namespace fs = std::filesystem;
using namespace auhead;
using namespace auhead::render::diffusion;
using auhead::test::build_on_meta;

namespace {

const fs::path kFixtures = fs::path(AUHEAD_FIXTURES_DIR) / "diffusion";

void expect_pass(const ParityResult& r) { EXPECT_TRUE(r.pass) << r.name << " max error " << r.max_error << " > " << r.tolerance; }

void expect_matches_manifest(const torch::nn::Module& module, const std::string& name) {
  auto manifest = nlohmann::json::parse(read_text_file(kFixtures / "checkpoint_manifests.json"))[name];
  TensorMap ours = module_state(module);
  std::size_t matched = 0;
  int64_t params = 0;
  for (const auto& [k, t] : ours) {
    params += t.numel();
    if (!manifest["shapes"].contains(k)) {
      ADD_FAILURE() << name << ": not in the checkpoint: " << k;
      continue;
    }
    EXPECT_EQ(t.sizes().vec(), manifest["shapes"][k].get<std::vector<int64_t>>()) << name << ": " << k;
    ++matched;
  }
  for (auto it = manifest["shapes"].begin(); it != manifest["shapes"].end(); ++it)
    EXPECT_TRUE(ours.count(it.key())) << name << ": missing from our model: " << it.key();
  EXPECT_EQ(matched, manifest["num_tensors"].get<std::size_t>()) << name;
  EXPECT_EQ(params, manifest["num_params"].get<int64_t>()) << name;
}

}  // namespace

TEST(DiffusionUNet, ReferenceNetReproducesReferenceOutput) {
  UNetConditionModel reference = load_unet(kFixtures / "reference_unet");
  EXPECT_FALSE(reference->config().has_output_head);
  SafetensorsFile io(kFixtures / "step_io.safetensors");
  torch::InferenceMode guard;
  ReferenceBank bank;
  torch::Tensor out = reference->write_reference(io.get("ref_latent"), torch::zeros({1}), io.get("encoder_hidden_states"), bank);
  expect_pass(compare_tensors("reference_unet_out", out, io.get("reference_unet_out")));
  // One entry per spatial transformer block: 3 down, 1 mid, 3 x 2 up.
  EXPECT_EQ(bank.tokens.size(), 10u);
  EXPECT_TRUE(bank.tokens.count("up_blocks.3.attentions.1.transformer_blocks.0"));
}

TEST(DiffusionUNet, DenoisingUNetReproducesStepWithAndWithoutReference) {
  UNetConditionModel reference = load_unet(kFixtures / "reference_unet");
  UNetConditionModel unet = load_unet(kFixtures / "denoising_unet");
  EXPECT_TRUE(unet->config().use_motion_module);
  SafetensorsFile io(kFixtures / "step_io.safetensors");
  torch::InferenceMode guard;
  const torch::Tensor tokens = io.get("encoder_hidden_states");
  ReferenceBank bank;
  reference->write_reference(io.get("ref_latent"), torch::zeros({1}), tokens, bank);
  std::vector<torch::Tensor> pose;
  for (int i = 0; i < 5; ++i) pose.push_back(io.get("pose_guider_out_" + std::to_string(i)));
  const torch::Tensor x = io.get("noisy_latents"), t = io.get("timestep");
  expect_pass(compare_tensors("pred_with_reference", unet->forward_video(x, t, tokens, pose, &bank), io.get("pred_with_reference")));
  expect_pass(compare_tensors("pred_without_reference", unet->forward_video(x, t, tokens, pose, nullptr),
                              io.get("pred_without_reference")));
}

TEST(DiffusionUNet, MissingMotionModuleKeyIsNamed) {
  UNetConfig config = UNetConfig::from_file(kFixtures / "denoising_unet/config.json");
  UNetConditionModel unet(config);
  TensorMap state = load_safetensors(kFixtures / "denoising_unet/diffusion_pytorch_model.safetensors");
  const std::string key = "mid_block.motion_modules.0.temporal_transformer.proj_out.weight";
  ASSERT_TRUE(state.erase(key));
  try {
    load_state_dict(*unet, state, "unet.safetensors");
    FAIL();
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
  }
}

// AniPortrait's full-size reference_unet.pth and denoising_unet.pth + motion_module.pth: built on the
// meta device from the SD-1.5 configs, exactly the manifest's keys, shapes and parameter counts.
TEST(DiffusionUNet, FullSizeUNetsMatchCheckpointManifests) {
  {
    UNetConditionModel reference = build_on_meta([] { return UNetConditionModel(UNetConfig::aniportrait_reference_unet()); });
    EXPECT_TRUE(module_state(*reference).begin()->second.is_meta());
    expect_matches_manifest(*reference, "reference_unet");
  }
  {
    UNetConditionModel unet = build_on_meta([] { return UNetConditionModel(UNetConfig::aniportrait_denoising_unet()); });
    expect_matches_manifest(*unet, "denoising_unet");
  }
  EXPECT_FALSE(torch::zeros({1}).is_meta());  // the thread is back on the CPU backend
  EXPECT_EQ(torch::ones({2}).sum().item<float>(), 2.0f);
}
