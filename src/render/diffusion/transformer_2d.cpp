#include "render/diffusion/transformer_2d.h"

#include <torch/torch.h>

#include "render/diffusion/basic_transformer_block.h"

namespace auhead::render::diffusion {

Transformer2DImpl::Transformer2DImpl(const Transformer2DOptions& o) : options_(o) {
  const int64_t inner = o.heads * o.dim_head;
  norm = register_module("norm", torch::nn::GroupNorm(torch::nn::GroupNormOptions(o.groups, o.in_channels).eps(1e-6)));
  if (o.use_linear_projection) {
    proj_in = torch::nn::AnyModule(register_module("proj_in", torch::nn::Linear(o.in_channels, inner)));
  } else {
    proj_in = torch::nn::AnyModule(register_module("proj_in", torch::nn::Conv2d(torch::nn::Conv2dOptions(o.in_channels, inner, 1))));
  }
  transformer_blocks = register_module("transformer_blocks", torch::nn::ModuleList());
  for (int64_t i = 0; i < o.num_layers; ++i)
    transformer_blocks->push_back(BasicTransformerBlock(
        BasicTransformerBlockOptions{inner, o.heads, o.dim_head, o.cross_attention_dim, 1e-5, o.au_token_dim}));
  if (o.use_linear_projection) {
    proj_out = torch::nn::AnyModule(register_module("proj_out", torch::nn::Linear(inner, o.in_channels)));
  } else {
    proj_out = torch::nn::AnyModule(register_module("proj_out", torch::nn::Conv2d(torch::nn::Conv2dOptions(inner, o.in_channels, 1))));
  }
}

torch::Tensor Transformer2DImpl::forward(const torch::Tensor& x, const UNetContext& context) {
  const int64_t n = x.size(0), h = x.size(2), w = x.size(3);
  torch::Tensor t = norm(x);
  if (!options_.use_linear_projection) t = proj_in.forward(t);
  const int64_t inner = options_.use_linear_projection ? x.size(1) : t.size(1);
  t = t.permute({0, 2, 3, 1}).reshape({n, h * w, inner});
  if (options_.use_linear_projection) t = proj_in.forward(t);
  for (const auto& block : *transformer_blocks) t = block->as<BasicTransformerBlockImpl>()->forward(t, context);
  if (options_.use_linear_projection) {
    t = proj_out.forward(t).reshape({n, h, w, x.size(1)}).permute({0, 3, 1, 2});
  } else {
    t = proj_out.forward(t.reshape({n, h, w, t.size(2)}).permute({0, 3, 1, 2}).contiguous());
  }
  return t + x;
}

}  // namespace auhead::render::diffusion
