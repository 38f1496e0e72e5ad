// Qwen2's SwiGLU feed-forward: down_proj(silu(gate_proj(x)) * up_proj(x)), no biases.
#pragma once
#include <torch/torch.h>

#include "audio2au/alm/lora_linear.h"

namespace auhead::audio2au::alm {

class Qwen2MlpImpl : public torch::nn::Module {
 public:
  Qwen2MlpImpl(int64_t hidden, int64_t intermediate);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  LoraLinear gate_proj{nullptr}, up_proj{nullptr}, down_proj{nullptr};
};
TORCH_MODULE(Qwen2Mlp);

}  // namespace auhead::audio2au::alm
