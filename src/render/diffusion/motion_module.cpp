#include "render/diffusion/motion_module.h"

#include <torch/torch.h>

#include "render/diffusion/temporal_transformer_block.h"

namespace auhead::render::diffusion {

MotionModuleImpl::MotionModuleImpl(const MotionModuleOptions& o) {
  const int64_t dim_head = o.channels / o.heads / o.attention_dim_div;
  const int64_t inner = o.heads * dim_head;
  // The parameters live under `temporal_transformer` (TemporalTransformer3DModel in the reference).
  temporal_transformer = register_module("temporal_transformer", std::make_shared<torch::nn::Module>("TemporalTransformer3DModel"));
  norm = temporal_transformer->register_module("norm", torch::nn::GroupNorm(torch::nn::GroupNormOptions(o.groups, o.channels).eps(1e-6)));
  proj_in = temporal_transformer->register_module("proj_in", torch::nn::Linear(o.channels, inner));
  transformer_blocks = temporal_transformer->register_module("transformer_blocks", torch::nn::ModuleList());
  for (int64_t i = 0; i < o.num_transformer_block; ++i)
    transformer_blocks->push_back(TemporalTransformerBlock(
        TemporalTransformerBlockOptions{inner, o.heads, dim_head, o.attention_blocks, o.position_encoding_max_len}));
  proj_out = temporal_transformer->register_module("proj_out", torch::nn::Linear(inner, o.channels));
}

torch::Tensor MotionModuleImpl::forward(const torch::Tensor& x, int64_t frames) {
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  torch::Tensor t = proj_in(norm(x).permute({0, 2, 3, 1}).reshape({n, h * w, c}));
  for (const auto& block : *transformer_blocks) t = block->as<TemporalTransformerBlockImpl>()->forward(t, frames);
  t = proj_out(t).reshape({n, h, w, c}).permute({0, 3, 1, 2});
  return t + x;
}

}  // namespace auhead::render::diffusion
