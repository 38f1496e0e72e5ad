// RMSNorm as Qwen2 uses it: x / sqrt(mean(x^2) + eps) * weight, computed in float32.
#pragma once
#include <torch/torch.h>

namespace auhead::audio2au::alm {

class RmsNormImpl : public torch::nn::Module {
 public:
  RmsNormImpl(int64_t dim, double eps);
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor weight;

 private:
  double eps_;
};
TORCH_MODULE(RmsNorm);

}  // namespace auhead::audio2au::alm
