// diffusers Attention as the UNets use it: multi-head dot-product attention with to_q/to_k/to_v (no
// bias) and to_out.0 (bias); optionally AnimateDiff's temporal position encoding (`pos_encoder`).
#pragma once
#include <torch/torch.h>

#include "render/diffusion/positional_encoding.h"

namespace auhead::render::diffusion {

struct AttentionOptions {
  int64_t query_dim = 0;
  int64_t context_dim = 0;  // 0: self-attention width (query_dim)
  int64_t heads = 8;
  int64_t dim_head = 64;
  int64_t position_encoding_max_len = 0;  // > 0: add a `pos_encoder` (temporal attention)
};

class AttentionImpl : public torch::nn::Module {
 public:
  explicit AttentionImpl(const AttentionOptions& options);
  // x (N, L, query_dim); context (N, M, context_dim) or undefined for self-attention. The position
  // encoding, when present, is added to x first (and so to keys/values of self-attention).
  // `mask` (optional) is added to the attention logits, broadcast to (N, heads, L, M).
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& context = {}, const torch::Tensor& mask = {});
  torch::nn::Linear out_projection() const { return out_proj; }
  // Zeroes to_out.0 so that a new (untrained) attention adds nothing to its residual.
  void zero_output();

 private:
  AttentionOptions options_;
  torch::nn::Linear to_q{nullptr}, to_k{nullptr}, to_v{nullptr}, out_proj{nullptr};
  torch::nn::ModuleList to_out{nullptr};  // [0]: Linear (diffusers' [1] is a parameterless Dropout)
  PositionalEncoding pos_encoder{nullptr};
};
TORCH_MODULE(Attention);

}  // namespace auhead::render::diffusion
