// The VAE's mid-block self-attention (diffusers Attention with group_norm, one head over all channels,
// residual): parameters group_norm, to_q, to_k, to_v, to_out.0 as in current diffusers checkpoints.
#pragma once
#include <torch/torch.h>

#include "checkpoint/safetensors.h"

namespace auhead::render::diffusion {

class VaeAttentionImpl : public torch::nn::Module {
 public:
  VaeAttentionImpl(int64_t channels, int64_t groups, double eps);
  torch::Tensor forward(const torch::Tensor& x);  // (B, C, H, W) -> same

 private:
  torch::nn::GroupNorm group_norm{nullptr};
  torch::nn::Linear to_q{nullptr}, to_k{nullptr}, to_v{nullptr};
  torch::nn::ModuleList to_out{nullptr};  // [0]: Linear (diffusers' [1] is a parameterless Dropout)
  torch::nn::Linear out_proj{nullptr};
};
TORCH_MODULE(VaeAttention);

// Renames old-diffusers VAE attention keys (query, key, value, proj_attn; 1x1 conv weights
// (C, C, 1, 1) become linear (C, C)) to the current names, in place. Other keys are left alone.
void convert_legacy_vae_attention_keys(TensorMap& state);

}  // namespace auhead::render::diffusion
