// The diffusers-style config.json of an AutoencoderKL (block widths, depth, latent size, norm groups,
// scaling factor), read strictly: wrong types are input errors naming the file.
#pragma once
#include <cstdint>
#include <filesystem>
#include <vector>

namespace auhead::render::diffusion {

struct VaeConfig {
  int64_t in_channels = 3;
  int64_t out_channels = 3;
  std::vector<int64_t> block_out_channels = {128, 256, 512, 512};
  int64_t layers_per_block = 2;
  int64_t latent_channels = 4;
  int64_t norm_num_groups = 32;
  double scaling_factor = 0.18215;
  bool use_quant_conv = true;
  bool use_post_quant_conv = true;
  bool mid_block_add_attention = true;

  // The config of the public sd-vae-ft-mse (Stable Diffusion 1.x) VAE: the defaults above.
  static VaeConfig sd_vae_ft_mse() { return {}; }
  static VaeConfig from_file(const std::filesystem::path& config_json);
};

}  // namespace auhead::render::diffusion
