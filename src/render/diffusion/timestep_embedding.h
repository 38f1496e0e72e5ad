// The UNets' timestep conditioning: diffusers' sinusoidal time_proj (no parameters) and
// TimestepEmbedding (linear_1, SiLU, linear_2).
#pragma once
#include <torch/torch.h>

namespace auhead::render::diffusion {

// diffusers get_timestep_embedding: (N) timesteps -> (N, dim) float32 [sin | cos] (flipped: [cos | sin]),
// frequencies exp(-ln(10000) * i / (dim/2 - freq_shift)).
torch::Tensor timestep_sinusoid(const torch::Tensor& timesteps, int64_t dim, bool flip_sin_to_cos, double freq_shift);

class TimestepEmbeddingImpl : public torch::nn::Module {
 public:
  TimestepEmbeddingImpl(int64_t in_channels, int64_t embed_dim);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::nn::Linear linear_1{nullptr}, linear_2{nullptr};
};
TORCH_MODULE(TimestepEmbedding);

}  // namespace auhead::render::diffusion
