#include "render/diffusion/vae_config.h"

#include <nlohmann/json.hpp>

#include "auhead/error.h"
#include "core/json_text.h"
#include "core/atomic_file.h"

namespace auhead::render::diffusion {

VaeConfig VaeConfig::from_file(const std::filesystem::path& config_json) {
  const std::string f = config_json.string();
  nlohmann::json j = read_json_object_file(config_json);
  VaeConfig c;
  try {
    constexpr int64_t kMaxChannels = 1 << 16;
    c.in_channels = config_int(j, "in_channels", c.in_channels, 1, kMaxChannels, f);
    c.out_channels = config_int(j, "out_channels", c.out_channels, 1, kMaxChannels, f);
    c.block_out_channels = config_int_list(j, "block_out_channels", c.block_out_channels, 1, kMaxChannels, 8, f);
    c.layers_per_block = config_int(j, "layers_per_block", c.layers_per_block, 1, 64, f);
    c.latent_channels = config_int(j, "latent_channels", c.latent_channels, 1, kMaxChannels, f);
    c.norm_num_groups = config_int(j, "norm_num_groups", c.norm_num_groups, 1, kMaxChannels, f);
    c.scaling_factor = config_number(j, "scaling_factor", c.scaling_factor, 1e-6, 1e6, f);
    if (j.contains("use_quant_conv") && !j["use_quant_conv"].is_null()) c.use_quant_conv = j["use_quant_conv"].get<bool>();
    if (j.contains("use_post_quant_conv") && !j["use_post_quant_conv"].is_null())
      c.use_post_quant_conv = j["use_post_quant_conv"].get<bool>();
    if (j.contains("mid_block_add_attention") && !j["mid_block_add_attention"].is_null())
      c.mid_block_add_attention = j["mid_block_add_attention"].get<bool>();
  } catch (const nlohmann::json::exception& e) {
    throw input_error(f, std::string("bad AutoencoderKL config: ") + e.what());
  }
  for (int64_t ch : c.block_out_channels)
    if (ch % c.norm_num_groups != 0)
      throw input_error(f, "bad AutoencoderKL config: block width " + std::to_string(ch) +
                               " is not a multiple of norm_num_groups");
  return c;
}

}  // namespace auhead::render::diffusion
