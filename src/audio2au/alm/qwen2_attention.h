// Qwen2 self-attention: q/k/v projections with bias, o_proj without, grouped-query heads, RoPE,
// causal, with an optional KV cache (positions continue after the cached tokens).
#pragma once
#include <torch/torch.h>

#include "audio2au/alm/qwen2_audio_config.h"
#include "audio2au/alm/rotary_embedding.h"

namespace auhead::alm {

class Qwen2AttentionImpl : public torch::nn::Module {
 public:
  explicit Qwen2AttentionImpl(const Qwen2DecoderConfig& c);
  // x (B, T, H); `past_k/past_v` (B, kv_heads, S, hd) or undefined; returns the output and updates
  // past_k/past_v to include these T tokens when `cache` is set.
  torch::Tensor forward(const torch::Tensor& x, const RopeTables& rope, torch::Tensor* past_k, torch::Tensor* past_v);

 private:
  int64_t heads_, kv_heads_, head_dim_;
  torch::nn::Linear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, o_proj{nullptr};
};
TORCH_MODULE(Qwen2Attention);

}  // namespace auhead::alm
