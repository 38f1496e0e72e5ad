#include "audio2au/alm/qwen2_attention.h"

#include <torch/torch.h>

#include <cmath>
#include <tuple>

namespace auhead::audio2au::alm {

namespace nn = torch::nn;

Qwen2AttentionImpl::Qwen2AttentionImpl(const Qwen2DecoderConfig& c)
    : heads_(c.num_attention_heads), kv_heads_(c.num_key_value_heads), head_dim_(c.head_dim()) {
  q_proj = register_module("q_proj", LoraLinear(c.hidden_size, heads_ * head_dim_));
  k_proj = register_module("k_proj", LoraLinear(c.hidden_size, kv_heads_ * head_dim_));
  v_proj = register_module("v_proj", LoraLinear(c.hidden_size, kv_heads_ * head_dim_));
  o_proj = register_module("o_proj", LoraLinear(heads_ * head_dim_, c.hidden_size, false));
}

torch::Tensor Qwen2AttentionImpl::forward(const torch::Tensor& x, const RopeTables& rope, KvCacheLayer* cache) {
  const int64_t b = x.size(0), t = x.size(1);
  torch::Tensor q = apply_rope(q_proj(x).view({b, t, heads_, head_dim_}).transpose(1, 2), rope);
  torch::Tensor k = apply_rope(k_proj(x).view({b, t, kv_heads_, head_dim_}).transpose(1, 2), rope);
  torch::Tensor v = v_proj(x).view({b, t, kv_heads_, head_dim_}).transpose(1, 2);
  const int64_t past = cache ? cache->length() : 0;
  if (cache) std::tie(k, v) = cache->append(k, v);
  // Grouped-query attention without copying keys and values: the `rep` query heads that share a
  // key/value head are stacked as rows, (B, kv_heads, rep * T, hd), row r holding token r % T.
  const int64_t s = k.size(2), rep = heads_ / kv_heads_;
  torch::Tensor qg = q.reshape({b, kv_heads_, rep * t, head_dim_});
  torch::Tensor scores = torch::matmul(qg, k.transpose(-1, -2)) * (1.0 / std::sqrt(static_cast<double>(head_dim_)));
  if (t > 1) {  // query i (absolute position past + i) sees keys 0 .. past + i
    torch::Tensor qi = torch::arange(rep * t, torch::kLong).remainder(t).unsqueeze(1) + past;
    torch::Tensor kj = torch::arange(s, torch::kLong).unsqueeze(0);
    scores = scores.masked_fill(kj > qi, -std::numeric_limits<float>::infinity());
  }
  // The softmax in float32 whatever the model's dtype, as Hugging Face's eager attention.
  torch::Tensor out = torch::matmul(scores.softmax(-1, torch::kFloat).to(v.scalar_type()), v).view({b, heads_, t, head_dim_});
  return o_proj(out.transpose(1, 2).reshape({b, t, heads_ * head_dim_}));
}

}  // namespace auhead::audio2au::alm
