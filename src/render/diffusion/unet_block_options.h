// Options shared by the UNet's down, mid and up blocks (2D, or inflated per frame with motion modules).
#pragma once
#include <cstdint>

#include "render/diffusion/motion_module.h"

namespace auhead::render::diffusion {

struct UNetBlockOptions {
  int64_t in_channels = 0;
  int64_t out_channels = 0;
  int64_t prev_output_channels = 0;  // up blocks: width coming from the block below
  int64_t temb_channels = 0;
  int64_t layers = 1;  // resnets (up blocks have layers_per_block + 1)
  bool has_attention = true;  // CrossAttn*Block
  bool add_resample = true;  // downsampler / upsampler
  int64_t heads = 8;
  int64_t cross_attention_dim = 768;
  int64_t groups = 32;
  double eps = 1e-5;
  bool use_linear_projection = false;
  int64_t au_token_dim = 0;  // > 0: AU cross-attention adapter in the transformer blocks
  bool has_motion = false;
  MotionModuleOptions motion;  // channels filled in by the block
};

}  // namespace auhead::render::diffusion
