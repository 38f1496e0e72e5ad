#include "render/diffusion/unet_config.h"

#include <nlohmann/json.hpp>

#include "auhead/error.h"
#include "core/json_text.h"
#include "core/atomic_file.h"

namespace auhead::render::diffusion {

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
  constexpr int64_t kMaxChannels = 1 << 16, kMaxLayers = 64, kMaxHeads = 1024;
  const std::string kExtra = "unet_additional_kwargs.";
  try {
    c.in_channels = config_int(j, "in_channels", c.in_channels, 1, kMaxChannels, f);
    c.out_channels = config_int(j, "out_channels", c.out_channels, 1, kMaxChannels, f);
    c.block_out_channels = config_int_list(j, "block_out_channels", c.block_out_channels, 1, kMaxChannels, 8, f);
    c.down_block_types = j.value("down_block_types", c.down_block_types);
    c.up_block_types = j.value("up_block_types", c.up_block_types);
    c.layers_per_block = config_int(j, "layers_per_block", c.layers_per_block, 1, kMaxLayers, f);
    c.cross_attention_dim = config_int(j, "cross_attention_dim", c.cross_attention_dim, 1, kMaxChannels, f);
    c.norm_num_groups = config_int(j, "norm_num_groups", c.norm_num_groups, 1, kMaxChannels, f);
    c.norm_eps = config_number(j, "norm_eps", c.norm_eps, 0, 1, f);
    c.flip_sin_to_cos = j.value("flip_sin_to_cos", c.flip_sin_to_cos);
    c.freq_shift = config_number(j, "freq_shift", c.freq_shift, -1e4, 1e4, f);
    if (j.contains("use_linear_projection") && !j["use_linear_projection"].is_null())
      c.use_linear_projection = j["use_linear_projection"].get<bool>();
    // num_attention_heads wins when given; else attention_head_dim (diffusers' historical meaning).
    const char* heads_key = j.contains("num_attention_heads") && !j["num_attention_heads"].is_null() ? "num_attention_heads"
                                                                                                     : "attention_head_dim";
    if (j.contains(heads_key)) {
      if (j[heads_key].is_array()) c.attention_heads = config_int_list(j, heads_key, {}, 1, kMaxHeads, 8, f);
      else c.attention_heads.assign(c.block_out_channels.size(), config_int(j, heads_key, 8, 1, kMaxHeads, f));
    } else {
      c.attention_heads.assign(c.block_out_channels.size(), 8);
    }
    const nlohmann::json extra = j.value("unet_additional_kwargs", nlohmann::json::object());
    c.use_motion_module = extra.value("use_motion_module", false);
    c.motion_module_resolutions =
        config_int_list(extra, "motion_module_resolutions", c.motion_module_resolutions, 1, 64, 8, f, kExtra);
    c.motion_module_mid_block = extra.value("motion_module_mid_block", false);
    c.motion_module_decoder_only = extra.value("motion_module_decoder_only", false);
    if (c.use_motion_module && extra.value("motion_module_type", std::string("Vanilla")) != "Vanilla")
      throw input_error(f, "bad UNet config: only motion_module_type \"Vanilla\" is supported");
    if (extra.value("unet_use_cross_frame_attention", false) || extra.value("unet_use_temporal_attention", false))
      throw input_error(f, "bad UNet config: cross-frame / temporal attention inside the spatial blocks is not supported");
    const nlohmann::json mm = extra.value("motion_module_kwargs", nlohmann::json::object());
    const std::string kMotion = kExtra + "motion_module_kwargs.";
    c.motion_heads = config_int(mm, "num_attention_heads", c.motion_heads, 1, kMaxHeads, f, kMotion);
    c.motion_transformer_blocks =
        config_int(mm, "num_transformer_block", c.motion_transformer_blocks, 1, kMaxLayers, f, kMotion);
    const auto types = mm.value("attention_block_types", std::vector<std::string>{"Temporal_Self", "Temporal_Self"});
    for (const auto& t : types)
      if (t != "Temporal_Self") throw input_error(f, "bad UNet config: motion attention block type '" + t + "' is not supported");
    c.motion_attention_blocks = static_cast<int64_t>(types.size());
    if (types.empty() || types.size() > 16)
      throw input_error(f, "bad UNet config: attention_block_types must list 1 to 16 blocks");
    c.motion_position_encoding_max_len =
        mm.value("temporal_position_encoding", false)
            ? config_int(mm, "temporal_position_encoding_max_len", 24, 1, 1 << 16, f, kMotion)
            : 0;
    c.motion_attention_dim_div =
        config_int(mm, "temporal_attention_dim_div", c.motion_attention_dim_div, 1, kMaxHeads, f, kMotion);
    if (j.contains("au_adapter") && j["au_adapter"].is_object()) {
      const nlohmann::json& au = j["au_adapter"];
      c.au_dim = config_int(au, "au_dim", 30, 1, 1024, f, "au_adapter.");
      c.au_tokens = config_int(au, "tokens", c.au_tokens, 1, 1024, f, "au_adapter.");
      c.au_hidden = config_int(au, "hidden", c.au_hidden, 1, kMaxChannels, f, "au_adapter.");
    }
  } catch (const nlohmann::json::exception& e) {
    throw input_error(f, std::string("bad UNet config: ") + e.what());
  }
  const std::size_t n = c.block_out_channels.size();
  if (n == 0 || c.down_block_types.size() != n || c.up_block_types.size() != n || c.attention_heads.size() != n)
    throw input_error(f, "bad UNet config: block_out_channels, down/up_block_types and attention_head_dim differ in length");
  for (std::size_t b = 0; b < n; ++b) {
    const int64_t ch = c.block_out_channels[b];
    if (ch % c.norm_num_groups != 0)
      throw input_error(f, "bad UNet config: block width " + std::to_string(ch) + " is not a multiple of norm_num_groups");
    if (ch % c.attention_heads[b] != 0)
      throw input_error(f, "bad UNet config: block width " + std::to_string(ch) + " is not a multiple of its " +
                               std::to_string(c.attention_heads[b]) + " attention heads");
    if (c.use_motion_module && ch / c.motion_heads / c.motion_attention_dim_div < 1)
      throw input_error(f, "bad UNet config: block width " + std::to_string(ch) +
                               " leaves the motion module's heads no width (num_attention_heads, temporal_attention_dim_div)");
  }
  return c;
}

}  // namespace auhead::render::diffusion
