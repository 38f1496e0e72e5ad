// AU disentanglement guidance (docs/design.md §7.3): eps = e(0,0) + s_ref*[e(ref,0) - e(0,0)] + s_au*[e(ref,au) - e(ref,0)],
// the three branches batched into one UNet call (no reference + zero image embedding; reference; reference + AU).
#pragma once
#include <torch/torch.h>

#include <vector>

#include "render/diffusion/unet_condition_model.h"

namespace auhead::render::diffusion {

struct GuidanceScales {
  double reference = 3.5;  // s_ref: identity (reference image) strength
  double au = 2.0;  // s_au: AU strength
};

// sample (B, C, F, H, W); image_embeds (B, L, D); pose features (B, C_i, F, H_i, W_i) or empty; `bank`
// written by the ReferenceNet for these B videos; au (B, F, au_dim) per-frame AU vectors. Without an AU
// adapter the AU term is zero and only two branches run. Returns the guided prediction (B, C, F, H, W).
torch::Tensor au_guided_prediction(UNetConditionModelImpl& unet, const torch::Tensor& sample, const torch::Tensor& timestep,
                                   const torch::Tensor& image_embeds, const std::vector<torch::Tensor>& pose_features,
                                   ReferenceBank& bank, const torch::Tensor& au, const GuidanceScales& scales);

}  // namespace auhead::render::diffusion
