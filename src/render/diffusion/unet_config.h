// The diffusers-style config.json of a UNet2DConditionModel (ReferenceNet) or AniPortrait's
// UNet3DConditionModel (denoising UNet; motion modules from `unet_additional_kwargs`), read strictly.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace auhead::render::diffusion {

struct UNetConfig {
  int64_t in_channels = 4;
  int64_t out_channels = 4;
  std::vector<int64_t> block_out_channels = {320, 640, 1280, 1280};
  std::vector<std::string> down_block_types = {"CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D",
                                               "DownBlock2D"};
  std::vector<std::string> up_block_types = {"UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"};
  int64_t layers_per_block = 2;
  int64_t cross_attention_dim = 768;
  // diffusers' `attention_head_dim` is used as the number of heads per block (head width = channels/heads).
  std::vector<int64_t> attention_heads = {8, 8, 8, 8};
  int64_t norm_num_groups = 32;
  double norm_eps = 1e-5;
  bool flip_sin_to_cos = true;
  double freq_shift = 0;
  bool use_linear_projection = false;
  bool has_output_head = true;  // conv_norm_out + conv_out (AniPortrait's ReferenceNet has none)

  // Motion modules (AnimateDiff "Vanilla"), at the block resolutions listed (1, 2, 4, 8 = block 0..3).
  bool use_motion_module = false;
  std::vector<int64_t> motion_module_resolutions = {1, 2, 4, 8};
  bool motion_module_mid_block = false;
  bool motion_module_decoder_only = false;
  int64_t motion_heads = 8;
  int64_t motion_transformer_blocks = 1;
  int64_t motion_attention_blocks = 2;
  int64_t motion_position_encoding_max_len = 32;  // 0: temporal_position_encoding false
  int64_t motion_attention_dim_div = 1;

  // AU cross-attention adapter (ours; absent from public checkpoints): au_dim > 0 enables it.
  int64_t au_dim = 0;
  int64_t au_tokens = 4;
  int64_t au_hidden = 256;

  // AniPortrait's full-size models (SD-1.5 layout): the ReferenceNet (no output head) and the denoising
  // UNet with AnimateDiff v2 motion modules (max 32 frames).
  static UNetConfig aniportrait_reference_unet();
  static UNetConfig aniportrait_denoising_unet();
  static UNetConfig from_file(const std::filesystem::path& config_json);
};

}  // namespace auhead::render::diffusion
