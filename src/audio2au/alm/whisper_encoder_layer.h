// One pre-norm Whisper encoder block as Qwen2-Audio names it: self_attn.{q,k,v,out}_proj (k without
// bias) after self_attn_layer_norm, then fc1 -> GELU -> fc2 after final_layer_norm, both residual.
#pragma once
#include <torch/torch.h>

namespace auhead::audio2au::alm {

class WhisperEncoderLayerImpl : public torch::nn::Module {
 public:
  WhisperEncoderLayerImpl(int64_t d_model, int64_t heads, int64_t ffn_dim);
  // (B, T, D) -> same; `key_mask` (B, 1, 1, T) additive (0 or -inf for padded frames) or undefined.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& key_mask = {});

 private:
  int64_t heads_;
  // Registered under a plain "self_attn" module: q_proj, k_proj, v_proj, out_proj.
  torch::nn::Linear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, out_proj{nullptr};
  torch::nn::LayerNorm self_attn_layer_norm{nullptr}, final_layer_norm{nullptr};
  torch::nn::Linear fc1{nullptr}, fc2{nullptr};
};
TORCH_MODULE(WhisperEncoderLayer);

}  // namespace auhead::audio2au::alm
