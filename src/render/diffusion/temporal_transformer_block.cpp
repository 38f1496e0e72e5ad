#include "render/diffusion/temporal_transformer_block.h"

#include <torch/torch.h>

#include "render/diffusion/attention.h"
#include "render/diffusion/feed_forward.h"

namespace auhead::render::diffusion {

TemporalTransformerBlockImpl::TemporalTransformerBlockImpl(const TemporalTransformerBlockOptions& o) {
  attention_blocks = register_module("attention_blocks", torch::nn::ModuleList());
  norms = register_module("norms", torch::nn::ModuleList());
  for (int64_t j = 0; j < o.attention_blocks; ++j) {
    attention_blocks->push_back(Attention(AttentionOptions{o.dim, 0, o.heads, o.dim_head, o.position_encoding_max_len}));
    norms->push_back(torch::nn::LayerNorm(torch::nn::LayerNormOptions({o.dim})));
  }
  ff = register_module("ff", FeedForward(o.dim));
  ff_norm = register_module("ff_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({o.dim})));
}

torch::Tensor TemporalTransformerBlockImpl::forward(const torch::Tensor& x, int64_t frames) {
  const int64_t bf = x.size(0), d = x.size(1), c = x.size(2), b = bf / frames;
  torch::Tensor h = x;
  for (std::size_t j = 0; j < attention_blocks->size(); ++j) {
    torch::Tensor n = norms[j]->as<torch::nn::LayerNormImpl>()->forward(h);
    // (b f) d c -> (b d) f c
    torch::Tensor seq = n.view({b, frames, d, c}).permute({0, 2, 1, 3}).reshape({b * d, frames, c});
    torch::Tensor out = attention_blocks[j]->as<AttentionImpl>()->forward(seq);
    h = out.view({b, d, frames, c}).permute({0, 2, 1, 3}).reshape({bf, d, c}) + h;
  }
  return ff(ff_norm(h)) + h;
}

}  // namespace auhead::render::diffusion
