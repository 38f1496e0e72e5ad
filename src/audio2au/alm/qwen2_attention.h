// Qwen2 self-attention: q/k/v projections with bias, o_proj without, grouped-query heads, RoPE,
// causal, with an optional KV cache (positions continue after the cached tokens).
#pragma once
#include <torch/torch.h>

#include "audio2au/alm/kv_cache.h"
#include "audio2au/alm/lora_linear.h"
#include "audio2au/alm/qwen2_audio_config.h"
#include "audio2au/alm/rotary_embedding.h"

namespace auhead::audio2au::alm {

class Qwen2AttentionImpl : public torch::nn::Module {
 public:
  explicit Qwen2AttentionImpl(const Qwen2DecoderConfig& c);
  // x (B, T, H) at positions cache->length() ... (0 without a cache); the cache, when given, is
  // extended by these T tokens' keys and values.
  torch::Tensor forward(const torch::Tensor& x, const RopeTables& rope, KvCacheLayer* cache);

 private:
  int64_t heads_, kv_heads_, head_dim_;
  LoraLinear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, o_proj{nullptr};
};
TORCH_MODULE(Qwen2Attention);

}  // namespace auhead::audio2au::alm
