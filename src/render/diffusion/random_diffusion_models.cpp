#include "render/diffusion/random_diffusion_models.h"

#include <torch/torch.h>

#include "auhead/au.h"
#include "auhead/error.h"

namespace auhead::render::diffusion {

DiffusionModelConfigs DiffusionModelConfigs::preset(const std::string& name) {
  DiffusionModelConfigs c{VaeConfig::sd_vae_ft_mse(), UNetConfig::aniportrait_reference_unet(),
                          UNetConfig::aniportrait_denoising_unet(), PoseGuiderConfig::aniportrait()};
  if (name == "sd15") return c;
  if (name != "tiny") throw usage_error("unknown model size '" + name + "' (sd15 or tiny)");
  c.vae.block_out_channels = {32, 32, 64, 64};
  c.vae.layers_per_block = 1;
  for (UNetConfig* u : {&c.reference_unet, &c.denoising_unet}) {
    u->block_out_channels = {32, 64, 128, 128};
    u->layers_per_block = 1;
    u->cross_attention_dim = 32;
    u->au_hidden = 32;
  }
  c.pose_guider.noise_latent_channels = 32;
  c.pose_guider.use_ca = false;  // its attention has a fixed width of 16 x 88: 128M parameters at any size
  return c;
}

DiffusionModels make_random_diffusion_models(const DiffusionModelConfigs& configs, bool au_adapter, uint64_t seed) {
  torch::manual_seed(seed);
  DiffusionModels m;
  UNetConfig denoising = configs.denoising_unet;
  if (au_adapter) denoising.au_dim = kNumAus;
  m.vae = AutoencoderKL(configs.vae);
  m.reference_unet = UNetConditionModel(configs.reference_unet);
  m.denoising_unet = UNetConditionModel(denoising);
  m.pose_guider = PoseGuider(configs.pose_guider);
  for (torch::nn::Module* mod : std::initializer_list<torch::nn::Module*>{m.vae.get(), m.reference_unet.get(),
                                                                          m.denoising_unet.get(), m.pose_guider.get()})
    mod->eval();
  m.scheduler = aniportrait_scheduler_config();
  m.notes.push_back("random weights (seed " + std::to_string(seed) + "): no image encoder, AniPortrait's DDIM settings");
  return m;
}

}  // namespace auhead::render::diffusion
