#include "audio2au/alm/whisper_encoder_layer.h"

#include <torch/torch.h>

#include <cmath>

namespace auhead::audio2au::alm {

namespace nn = torch::nn;

WhisperEncoderLayerImpl::WhisperEncoderLayerImpl(int64_t d, int64_t heads, int64_t ffn) : heads_(heads) {
  auto attn = std::make_shared<nn::Module>();
  q_proj = attn->register_module("q_proj", nn::Linear(d, d));
  k_proj = attn->register_module("k_proj", nn::Linear(nn::LinearOptions(d, d).bias(false)));
  v_proj = attn->register_module("v_proj", nn::Linear(d, d));
  out_proj = attn->register_module("out_proj", nn::Linear(d, d));
  register_module("self_attn", attn);
  self_attn_layer_norm = register_module("self_attn_layer_norm", nn::LayerNorm(nn::LayerNormOptions({d}).eps(1e-5)));
  fc1 = register_module("fc1", nn::Linear(d, ffn));
  fc2 = register_module("fc2", nn::Linear(ffn, d));
  final_layer_norm = register_module("final_layer_norm", nn::LayerNorm(nn::LayerNormOptions({d}).eps(1e-5)));
}

torch::Tensor WhisperEncoderLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& key_mask) {
  const int64_t b = x.size(0), t = x.size(1), d = x.size(2), hd = d / heads_;
  const auto heads = [&](const torch::Tensor& y) { return y.view({b, t, heads_, hd}).transpose(1, 2); };
  torch::Tensor h = self_attn_layer_norm(x);
  torch::Tensor q = heads(q_proj(h)) * (1.0 / std::sqrt(static_cast<double>(hd)));
  torch::Tensor k = heads(k_proj(h)), v = heads(v_proj(h));
  torch::Tensor scores = torch::matmul(q, k.transpose(-1, -2));
  if (key_mask.defined()) scores = scores + key_mask;
  torch::Tensor attn = torch::matmul(scores.softmax(-1), v);
  torch::Tensor y = x + out_proj(attn.transpose(1, 2).reshape({b, t, d}));
  return y + fc2(torch::gelu(fc1(final_layer_norm(y))));
}

}  // namespace auhead::audio2au::alm
