#include "render/diffusion/au_token_encoder.h"

#include <torch/torch.h>

namespace auhead::render::diffusion {

AuTokenEncoderImpl::AuTokenEncoderImpl(const AuTokenEncoderOptions& o) : options_(o) {
  proj_in = register_module("proj_in", torch::nn::Linear(o.au_dim, o.hidden));
  proj_out = register_module("proj_out", torch::nn::Linear(o.hidden, o.tokens * o.token_dim));
  norm = register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({o.token_dim})));
}

torch::Tensor AuTokenEncoderImpl::forward(const torch::Tensor& au) {
  // In the encoder's own dtype: float32 while it trains over a bf16/fp16 base.
  torch::Tensor t = proj_out(torch::silu(proj_in(au.to(proj_in->weight.scalar_type()))));
  return norm(t.view({au.size(0), options_.tokens, options_.token_dim}));
}

}  // namespace auhead::render::diffusion
