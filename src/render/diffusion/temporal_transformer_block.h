// AnimateDiff's TemporalTransformerBlock: attention_blocks.J (self-attention across frames at each
// spatial position, with sinusoidal position encoding) each after norms.J, then ff after ff_norm.
#pragma once
#include <torch/torch.h>

#include "render/diffusion/feed_forward.h"

namespace auhead::render::diffusion {

struct TemporalTransformerBlockOptions {
  int64_t dim = 0;
  int64_t heads = 8;
  int64_t dim_head = 40;
  int64_t attention_blocks = 2;
  int64_t position_encoding_max_len = 0;  // 0: no position encoding
};

class TemporalTransformerBlockImpl : public torch::nn::Module {
 public:
  explicit TemporalTransformerBlockImpl(const TemporalTransformerBlockOptions& options);
  // x (batch*frames, tokens, dim) with frames consecutive per video.
  torch::Tensor forward(const torch::Tensor& x, int64_t frames);

 private:
  torch::nn::ModuleList attention_blocks{nullptr}, norms{nullptr};
  FeedForward ff{nullptr};
  torch::nn::LayerNorm ff_norm{nullptr};
};
TORCH_MODULE(TemporalTransformerBlock);

}  // namespace auhead::render::diffusion
