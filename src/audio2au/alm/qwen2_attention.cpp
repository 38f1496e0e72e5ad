#include "audio2au/alm/qwen2_attention.h"

#include <torch/torch.h>

#include <cmath>

namespace auhead::alm {

namespace nn = torch::nn;

Qwen2AttentionImpl::Qwen2AttentionImpl(const Qwen2DecoderConfig& c)
    : heads_(c.num_attention_heads), kv_heads_(c.num_key_value_heads), head_dim_(c.head_dim()) {
  q_proj = register_module("q_proj", nn::Linear(c.hidden_size, heads_ * head_dim_));
  k_proj = register_module("k_proj", nn::Linear(c.hidden_size, kv_heads_ * head_dim_));
  v_proj = register_module("v_proj", nn::Linear(c.hidden_size, kv_heads_ * head_dim_));
  o_proj = register_module("o_proj", nn::Linear(nn::LinearOptions(heads_ * head_dim_, c.hidden_size).bias(false)));
}

torch::Tensor Qwen2AttentionImpl::forward(const torch::Tensor& x, const RopeTables& rope, torch::Tensor* past_k,
                                          torch::Tensor* past_v) {
  const int64_t b = x.size(0), t = x.size(1);
  torch::Tensor q = apply_rope(q_proj(x).view({b, t, heads_, head_dim_}).transpose(1, 2), rope);
  torch::Tensor k = apply_rope(k_proj(x).view({b, t, kv_heads_, head_dim_}).transpose(1, 2), rope);
  torch::Tensor v = v_proj(x).view({b, t, kv_heads_, head_dim_}).transpose(1, 2);
  int64_t past = 0;
  if (past_k && past_k->defined()) {
    past = past_k->size(2);
    k = torch::cat({*past_k, k}, 2);
    v = torch::cat({*past_v, v}, 2);
  }
  if (past_k) {
    *past_k = k;
    *past_v = v;
  }
  const int64_t s = k.size(2), rep = heads_ / kv_heads_;
  if (rep > 1) {  // query head h reads key/value head h / rep
    k = k.unsqueeze(2).expand({b, kv_heads_, rep, s, head_dim_}).reshape({b, heads_, s, head_dim_});
    v = v.unsqueeze(2).expand({b, kv_heads_, rep, s, head_dim_}).reshape({b, heads_, s, head_dim_});
  }
  torch::Tensor scores = torch::matmul(q, k.transpose(-1, -2)) * (1.0 / std::sqrt(static_cast<double>(head_dim_)));
  if (t > 1) {  // query i (absolute position past + i) sees keys 0 .. past + i
    torch::Tensor qi = torch::arange(t, torch::kLong).unsqueeze(1) + past;
    torch::Tensor kj = torch::arange(s, torch::kLong).unsqueeze(0);
    scores = scores.masked_fill(kj > qi, -std::numeric_limits<float>::infinity());
  }
  torch::Tensor out = torch::matmul(scores.softmax(-1), v);
  return o_proj(out.transpose(1, 2).reshape({b, t, heads_ * head_dim_}));
}

}  // namespace auhead::alm
