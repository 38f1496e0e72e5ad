#include "render/diffusion/unet_config.h"

#include <nlohmann/json.hpp>

#include "auhead/error.h"
#include "core/json_text.h"
#include "core/atomic_file.h"

namespace auhead::diffusion {

UNetConfig UNetConfig::aniportrait_reference_unet() {
  UNetConfig c;
  c.has_output_head = false;
  return c;
}

UNetConfig UNetConfig::aniportrait_denoising_unet() {
  UNetConfig c;
  c.down_block_types = {"CrossAttnDownBlock3D", "CrossAttnDownBlock3D", "CrossAttnDownBlock3D", "DownBlock3D"};
  c.up_block_types = {"UpBlock3D", "CrossAttnUpBlock3D", "CrossAttnUpBlock3D", "CrossAttnUpBlock3D"};
  c.use_motion_module = true;
  c.motion_module_mid_block = true;
  c.motion_position_encoding_max_len = 32;
  return c;
}

UNetConfig UNetConfig::from_file(const std::filesystem::path& config_json) {
  const std::string f = config_json.string();
  nlohmann::json j = read_json_object_file(config_json);
  UNetConfig c;
  try {
    c.in_channels = j.value("in_channels", c.in_channels);
    c.out_channels = j.value("out_channels", c.out_channels);
    c.block_out_channels = j.value("block_out_channels", c.block_out_channels);
    c.down_block_types = j.value("down_block_types", c.down_block_types);
    c.up_block_types = j.value("up_block_types", c.up_block_types);
    c.layers_per_block = j.value("layers_per_block", c.layers_per_block);
    c.cross_attention_dim = j.value("cross_attention_dim", c.cross_attention_dim);
    c.norm_num_groups = j.value("norm_num_groups", c.norm_num_groups);
    c.norm_eps = j.value("norm_eps", c.norm_eps);
    c.flip_sin_to_cos = j.value("flip_sin_to_cos", c.flip_sin_to_cos);
    c.freq_shift = j.value("freq_shift", c.freq_shift);
    if (j.contains("use_linear_projection") && !j["use_linear_projection"].is_null())
      c.use_linear_projection = j["use_linear_projection"].get<bool>();
    // num_attention_heads wins when given; else attention_head_dim (diffusers' historical meaning).
    const char* heads_key = j.contains("num_attention_heads") && !j["num_attention_heads"].is_null() ? "num_attention_heads"
                                                                                                     : "attention_head_dim";
    if (j.contains(heads_key)) {
      if (j[heads_key].is_array()) c.attention_heads = j[heads_key].get<std::vector<int64_t>>();
      else c.attention_heads.assign(c.block_out_channels.size(), j[heads_key].get<int64_t>());
    } else {
      c.attention_heads.assign(c.block_out_channels.size(), 8);
    }
    const nlohmann::json extra = j.value("unet_additional_kwargs", nlohmann::json::object());
    c.use_motion_module = extra.value("use_motion_module", false);
    c.motion_module_resolutions = extra.value("motion_module_resolutions", c.motion_module_resolutions);
    c.motion_module_mid_block = extra.value("motion_module_mid_block", false);
    c.motion_module_decoder_only = extra.value("motion_module_decoder_only", false);
    if (c.use_motion_module && extra.value("motion_module_type", std::string("Vanilla")) != "Vanilla")
      throw input_error(f, "bad UNet config: only motion_module_type \"Vanilla\" is supported");
    if (extra.value("unet_use_cross_frame_attention", false) || extra.value("unet_use_temporal_attention", false))
      throw input_error(f, "bad UNet config: cross-frame / temporal attention inside the spatial blocks is not supported");
    const nlohmann::json mm = extra.value("motion_module_kwargs", nlohmann::json::object());
    c.motion_heads = mm.value("num_attention_heads", c.motion_heads);
    c.motion_transformer_blocks = mm.value("num_transformer_block", c.motion_transformer_blocks);
    const auto types = mm.value("attention_block_types", std::vector<std::string>{"Temporal_Self", "Temporal_Self"});
    for (const auto& t : types)
      if (t != "Temporal_Self") throw input_error(f, "bad UNet config: motion attention block type '" + t + "' is not supported");
    c.motion_attention_blocks = static_cast<int64_t>(types.size());
    c.motion_position_encoding_max_len =
        mm.value("temporal_position_encoding", false) ? mm.value("temporal_position_encoding_max_len", int64_t{24}) : 0;
    c.motion_attention_dim_div = mm.value("temporal_attention_dim_div", c.motion_attention_dim_div);
    if (j.contains("au_adapter") && j["au_adapter"].is_object()) {
      const nlohmann::json& au = j["au_adapter"];
      c.au_dim = au.value("au_dim", int64_t{30});
      c.au_tokens = au.value("tokens", c.au_tokens);
      c.au_hidden = au.value("hidden", c.au_hidden);
    }
  } catch (const nlohmann::json::exception& e) {
    throw input_error(f, std::string("bad UNet config: ") + e.what());
  }
  const std::size_t n = c.block_out_channels.size();
  if (n == 0 || c.down_block_types.size() != n || c.up_block_types.size() != n || c.attention_heads.size() != n)
    throw input_error(f, "bad UNet config: block_out_channels, down/up_block_types and attention_head_dim differ in length");
  for (int64_t ch : c.block_out_channels)
    if (ch <= 0 || ch % c.norm_num_groups != 0)
      throw input_error(f, "bad UNet config: block width " + std::to_string(ch) + " is not a positive multiple of norm_num_groups");
  if (c.layers_per_block < 1) throw input_error(f, "bad UNet config: layers_per_block must be positive");
  return c;
}

}  // namespace auhead::diffusion
