#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>

#include "build_config.h"
#include "checkpoint/safetensors.h"
#include "checkpoint/state_dict.h"
#include "render/diffusion/au_guidance.h"
#include "render/diffusion/parity_compare.h"
#include "render/diffusion/unet_condition_model.h"

namespace fs = std::filesystem;
using namespace auhead;
using namespace auhead::render::diffusion;

namespace {

const fs::path kFixtures = fs::path(AUHEAD_FIXTURES_DIR) / "diffusion";

struct Step {
  UNetConditionModel reference = load_unet(kFixtures / "reference_unet");
  UNetConditionModel unet{nullptr};
  SafetensorsFile io{kFixtures / "step_io.safetensors"};
  ReferenceBank bank;
  std::vector<torch::Tensor> pose;
  torch::Tensor x, t, tokens, au;

  Step() {
    UNetConfig config = UNetConfig::from_file(kFixtures / "denoising_unet/config.json");
    config.au_dim = 30;
    unet = UNetConditionModel(config);
    // The public weights have no AU adapter: its keys may be missing, nothing else may.
    unet->load_weights(load_safetensors(kFixtures / "denoising_unet/diffusion_pytorch_model.safetensors"), "denoising_unet");
    unet->eval();
    tokens = io.get("encoder_hidden_states");
    torch::InferenceMode guard;
    reference->write_reference(io.get("ref_latent"), torch::zeros({1}), tokens, bank);
    for (int i = 0; i < 5; ++i) pose.push_back(io.get("pose_guider_out_" + std::to_string(i)));
    x = io.get("noisy_latents");
    t = io.get("timestep");
    au = torch::rand({1, x.size(2), 30}, torch::Generator(at::detail::createCPUGenerator(7)));
  }
};

}  // namespace

// With s_ref = 1 the guided prediction is e(ref, 0) + s_au * [e(ref, au) - e(ref, 0)]; an untrained adapter
// (zero output projections) adds nothing, so it is the recorded prediction with reference.
TEST(DiffusionAuGuidance, UntrainedAdapterChangesNothing) {
  Step s;
  ASSERT_TRUE(s.unet->has_au_adapter());
  torch::InferenceMode guard;
  torch::Tensor eps = au_guided_prediction(*s.unet, s.x, s.t, s.tokens, s.pose, s.bank, s.au, GuidanceScales{1.0, 5.0});
  auto r = compare_tensors("guided", eps, s.io.get("pred_with_reference"));
  EXPECT_TRUE(r.pass) << r.max_error << " > " << r.tolerance;
}

// The batched three-branch call equals three separate UNet calls combined by the formula.
TEST(DiffusionAuGuidance, BatchedBranchesEqualSeparateCalls) {
  Step s;
  {
    torch::NoGradGuard no_grad;
    torch::manual_seed(3);
    for (auto& p : s.unet->named_parameters(true))
      if (p.key().find(".attn_au.to_out.0.") != std::string::npos) p.value().normal_(0.0, 0.2);
  }
  torch::InferenceMode guard;
  const GuidanceScales scales{2.5, 1.5};
  torch::Tensor eps = au_guided_prediction(*s.unet, s.x, s.t, s.tokens, s.pose, s.bank, s.au, scales);

  const int64_t f = s.x.size(2);
  torch::Tensor e00 = s.unet->forward_video(s.x, s.t, torch::zeros_like(s.tokens), s.pose, nullptr);
  torch::Tensor e10 = s.unet->forward_video(s.x, s.t, s.tokens, s.pose, &s.bank);
  UNetContext context;
  context.frames = f;
  context.encoder_hidden_states = s.tokens.repeat_interleave(f, 0);
  context.mode = ReferenceMode::read;
  context.bank = &s.bank;
  context.au_tokens = s.unet->encode_au(s.au.reshape({f, 30}));
  auto frames = [](const torch::Tensor& v) { return v.permute({0, 2, 1, 3, 4}).flatten(0, 1); };
  std::vector<torch::Tensor> pose;
  for (const auto& p : s.pose) pose.push_back(frames(p));
  torch::Tensor e11 = s.unet->forward(frames(s.x), s.t, context, pose).view({1, f, 4, 16, 16}).permute({0, 2, 1, 3, 4});
  EXPECT_GT((e11 - e10).abs().max().item<double>(), 1e-3);  // the trained-looking adapter does act
  torch::Tensor expected = e00 + scales.reference * (e10 - e00) + scales.au * (e11 - e10);
  EXPECT_LT((eps - expected).abs().max().item<double>(), 1e-4 * std::max(1.0, expected.abs().max().item<double>()));
}

TEST(DiffusionAuGuidance, AdapterKeysAreOptionalButOthersAreNot) {
  UNetConfig config = UNetConfig::from_file(kFixtures / "denoising_unet/config.json");
  config.au_dim = 30;
  UNetConditionModel unet(config);
  TensorMap state = load_safetensors(kFixtures / "denoising_unet/diffusion_pytorch_model.safetensors");
  state.erase("conv_in.weight");
  try {
    unet->load_weights(state, "unet.safetensors");
    FAIL();
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("conv_in.weight"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find("attn_au"), std::string::npos) << e.what();
  }
}
