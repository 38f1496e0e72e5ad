// AnimateDiff's sinusoidal temporal position encoding: a (1, max_len, dim) buffer `pe` (saved in the
// checkpoints, so it loads from the file) added to the frame sequence.
#pragma once
#include <torch/torch.h>

namespace auhead::render::diffusion {

class PositionalEncodingImpl : public torch::nn::Module {
 public:
  PositionalEncodingImpl(int64_t dim, int64_t max_len);
  torch::Tensor forward(const torch::Tensor& x);  // (N, frames, dim), frames <= max_len

 private:
  torch::Tensor pe;
};
TORCH_MODULE(PositionalEncoding);

}  // namespace auhead::render::diffusion
