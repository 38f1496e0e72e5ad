// diffusers Transformer2DModel (the UNets' spatial attention): GroupNorm (eps 1e-6), proj_in (1x1 conv
// or linear), BasicTransformerBlocks over the h*w tokens, proj_out, residual.
#pragma once
#include <torch/torch.h>

#include "render/diffusion/unet_context.h"

namespace auhead::render::diffusion {

struct Transformer2DOptions {
  int64_t in_channels = 0;
  int64_t heads = 8;
  int64_t dim_head = 40;
  int64_t cross_attention_dim = 0;  // 0: self-attention only
  int64_t num_layers = 1;
  int64_t groups = 32;
  bool use_linear_projection = false;
  int64_t au_token_dim = 0;  // > 0: AU adapter in every block
};

class Transformer2DImpl : public torch::nn::Module {
 public:
  explicit Transformer2DImpl(const Transformer2DOptions& options);
  torch::Tensor forward(const torch::Tensor& x, const UNetContext& context);  // (N, C, H, W) -> same

 private:
  Transformer2DOptions options_;
  torch::nn::GroupNorm norm{nullptr};
  torch::nn::AnyModule proj_in, proj_out;  // Conv2d 1x1 or Linear
  torch::nn::ModuleList transformer_blocks{nullptr};
};
TORCH_MODULE(Transformer2D);

}  // namespace auhead::render::diffusion
