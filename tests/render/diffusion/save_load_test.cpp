// Save -> load -> identical outputs: the diffusion modules (from the tiny fixtures, every weight
// perturbed, the denoising UNet with an AU adapter), written with save_safetensors in the model-folder
// layout and read back through load_diffusion_models, give bit-identical outputs on fixed inputs.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "build_config.h"
#include "checkpoint/safetensors.h"
#include "checkpoint/state_dict.h"
#include "render/diffusion/au_guidance.h"
#include "render/diffusion/diffusion_model_dir.h"
#include "test_util.h"

namespace fs = std::filesystem;
using namespace auhead;
using namespace auhead::render::diffusion;

namespace {

const fs::path kFixtures = fs::path(AUHEAD_FIXTURES_DIR) / "diffusion";
const fs::path kClip = fs::path(AUHEAD_FIXTURES_DIR) / "clip_vision_tiny";

// Moves every parameter by seeded noise, so that the saved values are not the fixture's.
void perturb(torch::nn::Module& module, uint64_t seed) {
  torch::NoGradGuard no_grad;
  auto gen = at::detail::createCPUGenerator(seed);
  for (auto& p : module.parameters()) p.add_(torch::randn(p.sizes(), gen) * 0.01);
}

// Writes `module`'s state dict (its parameter and buffer names are the checkpoint keys) and config.
void save_part(const fs::path& folder, const std::string& weights_file, const torch::nn::Module& module,
               const nlohmann::json& config) {
  fs::create_directories(folder);
  std::ofstream(folder / "config.json") << config.dump(1);
  save_safetensors(folder / weights_file, module_state(module));
}

nlohmann::json read_json(const fs::path& file) { return nlohmann::json::parse(std::ifstream(file)); }

void expect_identical(const torch::Tensor& a, const torch::Tensor& b, const std::string& what) {
  ASSERT_TRUE(a.defined() && b.defined()) << what;
  EXPECT_EQ(a.sizes(), b.sizes()) << what;
  EXPECT_TRUE(torch::equal(a, b)) << what << ": max |diff| " << (a - b).abs().max().item<double>();
}

}  // namespace

TEST(DiffusionSaveLoad, ModelFolderRoundTripIsBitExact) {
  test::TempDir dir("diffusion_save_load");
  const fs::path model = dir / "model";

  // The modules as a training run would leave them: fixture weights moved, an AU adapter trained.
  nlohmann::json unet_config = read_json(kFixtures / "denoising_unet/config.json");
  unet_config["au_adapter"] = {{"au_dim", 30}, {"tokens", 4}, {"hidden", 16}};
  fs::create_directories(dir / "config");
  std::ofstream(dir / "config/config.json") << unet_config.dump(1);
  UNetConditionModel denoising(UNetConfig::from_file(dir / "config/config.json"));
  denoising->load_weights(load_safetensors(kFixtures / "denoising_unet/diffusion_pytorch_model.safetensors"), "denoising_unet");
  denoising->eval();
  ASSERT_TRUE(denoising->has_au_adapter());
  AutoencoderKL vae = load_autoencoder_kl(kFixtures / "vae");
  UNetConditionModel reference = load_unet(kFixtures / "reference_unet");
  PoseGuider guider = load_pose_guider(kFixtures / "pose_guider");
  ClipVisionModel clip = load_clip_vision_model(kClip);
  uint64_t seed = 1;
  for (torch::nn::Module* m : std::initializer_list<torch::nn::Module*>{denoising.get(), vae.get(), reference.get(),
                                                                       guider.get(), clip.get()})
    perturb(*m, seed++);

  save_part(model / "vae", "diffusion_pytorch_model.safetensors", *vae, read_json(kFixtures / "vae/config.json"));
  save_part(model / "reference_unet", "diffusion_pytorch_model.safetensors", *reference,
            read_json(kFixtures / "reference_unet/config.json"));
  save_part(model / "denoising_unet", "diffusion_pytorch_model.safetensors", *denoising, unet_config);
  save_part(model / "pose_guider", "diffusion_pytorch_model.safetensors", *guider, read_json(kFixtures / "pose_guider/config.json"));
  save_part(model / "image_encoder", "model.safetensors", *clip, read_json(kClip / "config.json"));
  std::ofstream(model / "render_config.json") << R"({"device": "cpu"})";

  DiffusionModels loaded = load_diffusion_models(model);
  ASSERT_TRUE(loaded.image_encoder);
  ASSERT_TRUE(loaded.denoising_unet->has_au_adapter());
  EXPECT_EQ(loaded.dtype, torch::kFloat);

  torch::InferenceMode guard;
  const SafetensorsFile vae_io(kFixtures / "vae_io.safetensors"), step_io(kFixtures / "step_io.safetensors");
  const torch::Tensor image = vae_io.get("image"), latent = vae_io.get("decode_in");
  expect_identical(vae->encode(image).mean, loaded.vae->encode(image).mean, "VAE encode");
  expect_identical(vae->decode(latent), loaded.vae->decode(latent), "VAE decode");

  const torch::Tensor pixels = torch::rand({1, 3, clip->config().image_size, clip->config().image_size},
                                           torch::Generator(at::detail::createCPUGenerator(5)));
  expect_identical(clip->forward(pixels).image_embeds, loaded.image_encoder->forward(pixels).image_embeds, "CLIP image embeds");

  const torch::Tensor pose = step_io.get("pose_images");
  const std::vector<torch::Tensor> features = guider->forward(pose), loaded_features = loaded.pose_guider->forward(pose);
  ASSERT_EQ(features.size(), loaded_features.size());
  for (std::size_t i = 0; i < features.size(); ++i)
    expect_identical(features[i], loaded_features[i], "pose guider feature " + std::to_string(i));

  const torch::Tensor tokens = step_io.get("encoder_hidden_states"), ref_latent = step_io.get("ref_latent");
  ReferenceBank bank, loaded_bank;
  expect_identical(reference->write_reference(ref_latent, torch::zeros({1}), tokens, bank),
                   loaded.reference_unet->write_reference(ref_latent, torch::zeros({1}), tokens, loaded_bank),
                   "ReferenceNet output");
  ASSERT_EQ(bank.tokens.size(), loaded_bank.tokens.size());
  for (const auto& [name, t] : bank.tokens) expect_identical(t, loaded_bank.tokens.at(name), "reference tokens " + name);

  // The guided step runs all three branches: no reference, reference, reference + AU adapter.
  const torch::Tensor x = step_io.get("noisy_latents"), t = step_io.get("timestep");
  const torch::Tensor au = torch::rand({1, x.size(2), 30}, torch::Generator(at::detail::createCPUGenerator(7)));
  const GuidanceScales scales{2.5, 1.5};
  expect_identical(au_guided_prediction(*denoising, x, t, tokens, features, bank, au, scales),
                   au_guided_prediction(*loaded.denoising_unet, x, t, tokens, loaded_features, loaded_bank, au, scales),
                   "guided denoising step");
  expect_identical(denoising->encode_au(au[0]), loaded.denoising_unet->encode_au(au[0]), "AU tokens");
}
