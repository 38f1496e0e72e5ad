#include "audio2au/alm/qwen2_mlp.h"

#include <torch/torch.h>

namespace auhead::audio2au::alm {

namespace nn = torch::nn;

Qwen2MlpImpl::Qwen2MlpImpl(int64_t hidden, int64_t inter) {
  gate_proj = register_module("gate_proj", LoraLinear(hidden, inter, false));
  up_proj = register_module("up_proj", LoraLinear(hidden, inter, false));
  down_proj = register_module("down_proj", LoraLinear(inter, hidden, false));
}

torch::Tensor Qwen2MlpImpl::forward(const torch::Tensor& x) { return down_proj(torch::silu(gate_proj(x)) * up_proj(x)); }

}  // namespace auhead::audio2au::alm
