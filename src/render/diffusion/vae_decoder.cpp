#include "render/diffusion/vae_decoder.h"

#include <torch/torch.h>

namespace auhead::render::diffusion {

namespace {
constexpr double kEps = 1e-6;
}

UpDecoderBlock2DImpl::UpDecoderBlock2DImpl(int64_t in_channels, int64_t out_channels, int64_t num_layers,
                                           int64_t groups, bool add_upsample) {
  torch::nn::ModuleList resnets;
  for (int64_t i = 0; i < num_layers; ++i) {
    resnet_list_.emplace_back(ResnetBlock2DOptions{i == 0 ? in_channels : out_channels, out_channels, 0, groups, kEps, 1.0});
    resnets->push_back(resnet_list_.back());
  }
  register_module("resnets", resnets);
  if (add_upsample) {
    upsampler_ = Upsample2D(out_channels, out_channels);
    register_module("upsamplers", torch::nn::ModuleList(upsampler_));
  }
}

torch::Tensor UpDecoderBlock2DImpl::forward(torch::Tensor x) {
  for (auto& r : resnet_list_) x = r(x);
  if (upsampler_) x = upsampler_(x);
  return x;
}

VaeDecoderImpl::VaeDecoderImpl(const VaeConfig& c) {
  std::vector<int64_t> widths(c.block_out_channels.rbegin(), c.block_out_channels.rend());
  conv_in = register_module("conv_in", torch::nn::Conv2d(torch::nn::Conv2dOptions(c.latent_channels, widths[0], 3).padding(1)));
  mid_block = register_module("mid_block", VaeMidBlock(widths[0], c.norm_num_groups, kEps, c.mid_block_add_attention));
  torch::nn::ModuleList up_blocks;
  int64_t prev = widths[0];
  for (std::size_t i = 0; i < widths.size(); ++i) {
    block_list_.emplace_back(prev, widths[i], c.layers_per_block + 1, c.norm_num_groups, i + 1 < widths.size());
    up_blocks->push_back(block_list_.back());
    prev = widths[i];
  }
  register_module("up_blocks", up_blocks);
  conv_norm_out = register_module(
      "conv_norm_out", torch::nn::GroupNorm(torch::nn::GroupNormOptions(c.norm_num_groups, widths.back()).eps(kEps)));
  conv_out = register_module("conv_out", torch::nn::Conv2d(torch::nn::Conv2dOptions(widths.back(), c.out_channels, 3).padding(1)));
}

torch::Tensor VaeDecoderImpl::forward(const torch::Tensor& z) {
  torch::Tensor h = mid_block(conv_in(z));
  for (auto& b : block_list_) h = b(h);
  return conv_out(torch::silu(conv_norm_out(h)));
}

}  // namespace auhead::render::diffusion
