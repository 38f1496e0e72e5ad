// The VAE's middle block (diffusers UNetMidBlock2D without time embedding): resnet, self-attention,
// resnet at the lowest resolution; parameters resnets.{0,1}, attentions.0.
#pragma once
#include <torch/torch.h>

#include "render/diffusion/resnet_block.h"
#include "render/diffusion/vae_attention.h"

namespace auhead::render::diffusion {

class VaeMidBlockImpl : public torch::nn::Module {
 public:
  VaeMidBlockImpl(int64_t channels, int64_t groups, double eps, bool add_attention);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  std::vector<ResnetBlock2D> resnet_list_;
  VaeAttention attention_{nullptr};
};
TORCH_MODULE(VaeMidBlock);

}  // namespace auhead::render::diffusion
