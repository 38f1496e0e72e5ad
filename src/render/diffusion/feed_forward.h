// diffusers FeedForward with GEGLU (the SD UNets' and AnimateDiff's MLP): net.0.proj doubles to 2x the
// inner width (value, gate), value * GELU(gate), then net.2 projects back; inner width 4 * dim.
#pragma once
#include <torch/torch.h>

namespace auhead::render::diffusion {

class FeedForwardImpl : public torch::nn::Module {
 public:
  explicit FeedForwardImpl(int64_t dim, int64_t mult = 4);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::nn::ModuleList net{nullptr};  // [0] GEGLU (holds `proj`), [1] Dropout (no parameters), [2] Linear
  torch::nn::Linear proj{nullptr}, out{nullptr};
};
TORCH_MODULE(FeedForward);

}  // namespace auhead::render::diffusion
