// diffusers UNetMidBlock2DCrossAttn / AniPortrait's UNetMidBlock3DCrossAttn: resnets.0, then per layer
// attentions.N, motion_modules.N (3D), resnets.N+1.
#pragma once
#include <torch/torch.h>

#include "render/diffusion/unet_block_options.h"
#include "render/diffusion/unet_context.h"

namespace auhead::render::diffusion {

class UNetMidBlockImpl : public torch::nn::Module {
 public:
  explicit UNetMidBlockImpl(const UNetBlockOptions& options);  // in_channels wide, `layers` attention layers
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& temb, const UNetContext& context);

 private:
  torch::nn::ModuleList resnets{nullptr}, attentions{nullptr}, motion_modules{nullptr};
};
TORCH_MODULE(UNetMidBlock);

}  // namespace auhead::render::diffusion
