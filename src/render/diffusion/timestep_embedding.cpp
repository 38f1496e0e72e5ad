#include "render/diffusion/timestep_embedding.h"

#include <torch/torch.h>

#include <cmath>

namespace auhead::render::diffusion {

torch::Tensor timestep_sinusoid(const torch::Tensor& timesteps, int64_t dim, bool flip_sin_to_cos, double freq_shift) {
  const int64_t half = dim / 2;
  torch::Tensor exponent = torch::arange(0, half, torch::TensorOptions().dtype(torch::kFloat).device(timesteps.device())) *
                           static_cast<float>(-std::log(10000.0));
  exponent = exponent / static_cast<float>(static_cast<double>(half) - freq_shift);
  torch::Tensor emb = timesteps.to(torch::kFloat).unsqueeze(1) * torch::exp(exponent).unsqueeze(0);
  emb = flip_sin_to_cos ? torch::cat({torch::cos(emb), torch::sin(emb)}, -1) : torch::cat({torch::sin(emb), torch::cos(emb)}, -1);
  if (dim % 2 == 1) emb = torch::nn::functional::pad(emb, torch::nn::functional::PadFuncOptions({0, 1}));
  return emb;
}

TimestepEmbeddingImpl::TimestepEmbeddingImpl(int64_t in_channels, int64_t embed_dim) {
  linear_1 = register_module("linear_1", torch::nn::Linear(in_channels, embed_dim));
  linear_2 = register_module("linear_2", torch::nn::Linear(embed_dim, embed_dim));
}

torch::Tensor TimestepEmbeddingImpl::forward(const torch::Tensor& x) {
  return linear_2(torch::silu(linear_1(x)));
}

}  // namespace auhead::render::diffusion
