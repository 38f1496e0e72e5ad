// The diffusion renderer's models at a named size with seeded random weights, built in memory (no
// checkpoint files): benchmarks and tests run the full-size code path without downloading weights.
#pragma once
#include <cstdint>
#include <string>

#include "render/diffusion/diffusion_model_dir.h"

namespace auhead::render::diffusion {

// The configs of one model set; the ReferenceNet and the denoising UNet share block widths.
struct DiffusionModelConfigs {
  VaeConfig vae;
  UNetConfig reference_unet;
  UNetConfig denoising_unet;
  PoseGuiderConfig pose_guider;

  // "sd15": AniPortrait's full-size models (SD-1.5 UNets, AnimateDiff motion modules, sd-vae-ft-mse,
  // pose guider with attention), the layouts of checkpoint_manifests.json. "tiny": the same blocks with
  // small widths and one layer per block (VAE downsampling 8x, like sd15), pose guider without attention.
  // Other names: usage error.
  static DiffusionModelConfigs preset(const std::string& name);
};

// Builds every model of `configs` on the CPU in fp32 and eval mode, weights from torch's default
// initialisers seeded with `seed` (the same seed gives the same weights); `au_adapter` adds an untrained
// AU adapter (all AUs) to the denoising UNet. No image encoder (zero image embedding), AniPortrait's
// scheduler and default settings. Place them with place_models().
DiffusionModels make_random_diffusion_models(const DiffusionModelConfigs& configs, bool au_adapter, uint64_t seed);

}  // namespace auhead::render::diffusion
