#include "render/diffusion/vae_mid_block.h"

#include <torch/torch.h>

namespace auhead::render::diffusion {

VaeMidBlockImpl::VaeMidBlockImpl(int64_t channels, int64_t groups, double eps, bool add_attention) {
  torch::nn::ModuleList resnets;
  for (int i = 0; i < 2; ++i) {
    resnet_list_.emplace_back(ResnetBlock2DOptions{channels, channels, 0, groups, eps, 1.0});
    resnets->push_back(resnet_list_.back());
  }
  register_module("resnets", resnets);
  if (add_attention) {
    attention_ = VaeAttention(channels, groups, eps);
    register_module("attentions", torch::nn::ModuleList(attention_));
  }
}

torch::Tensor VaeMidBlockImpl::forward(const torch::Tensor& x) {
  torch::Tensor h = resnet_list_[0](x);
  if (attention_) h = attention_(h);
  return resnet_list_[1](h);
}

}  // namespace auhead::render::diffusion
