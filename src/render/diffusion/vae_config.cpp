#include "render/diffusion/vae_config.h"

#include <nlohmann/json.hpp>

#include "auhead/error.h"
#include "core/json_text.h"
#include "core/atomic_file.h"

namespace auhead::diffusion {

VaeConfig VaeConfig::from_file(const std::filesystem::path& config_json) {
  const std::string f = config_json.string();
  nlohmann::json j = read_json_object_file(config_json);
  VaeConfig c;
  try {
    c.in_channels = j.value("in_channels", c.in_channels);
    c.out_channels = j.value("out_channels", c.out_channels);
    c.block_out_channels = j.value("block_out_channels", c.block_out_channels);
    c.layers_per_block = j.value("layers_per_block", c.layers_per_block);
    c.latent_channels = j.value("latent_channels", c.latent_channels);
    c.norm_num_groups = j.value("norm_num_groups", c.norm_num_groups);
    c.scaling_factor = j.value("scaling_factor", c.scaling_factor);
    if (j.contains("use_quant_conv") && !j["use_quant_conv"].is_null()) c.use_quant_conv = j["use_quant_conv"].get<bool>();
    if (j.contains("use_post_quant_conv") && !j["use_post_quant_conv"].is_null())
      c.use_post_quant_conv = j["use_post_quant_conv"].get<bool>();
    if (j.contains("mid_block_add_attention") && !j["mid_block_add_attention"].is_null())
      c.mid_block_add_attention = j["mid_block_add_attention"].get<bool>();
  } catch (const nlohmann::json::exception& e) {
    throw input_error(f, std::string("bad AutoencoderKL config: ") + e.what());
  }
  if (c.block_out_channels.empty()) throw input_error(f, "bad AutoencoderKL config: block_out_channels is empty");
  for (int64_t ch : c.block_out_channels)
    if (ch <= 0 || ch % c.norm_num_groups != 0)
      throw input_error(f, "bad AutoencoderKL config: block width " + std::to_string(ch) +
                               " is not a positive multiple of norm_num_groups");
  if (c.layers_per_block < 1 || c.latent_channels < 1 || c.in_channels < 1 || c.out_channels < 1)
    throw input_error(f, "bad AutoencoderKL config: sizes must be positive");
  return c;
}

}  // namespace auhead::diffusion
