// diffusers CrossAttnDownBlock2D / DownBlock2D and AniPortrait's 3D versions (the same blocks per frame,
// plus a motion module after each layer): resnets.N, attentions.N, motion_modules.N, downsamplers.0.
#pragma once
#include <torch/torch.h>

#include <vector>

#include "render/diffusion/unet_block_options.h"
#include "render/diffusion/unet_context.h"

namespace auhead::render::diffusion {

class UNetDownBlockImpl : public torch::nn::Module {
 public:
  explicit UNetDownBlockImpl(const UNetBlockOptions& options);
  // x (batch*frames, C, H, W); appends each layer's output and the downsampled one to `skips`.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& temb, const UNetContext& context,
                        std::vector<torch::Tensor>& skips);

 private:
  torch::nn::ModuleList resnets{nullptr}, attentions{nullptr}, motion_modules{nullptr}, downsamplers{nullptr};
};
TORCH_MODULE(UNetDownBlock);

}  // namespace auhead::render::diffusion
