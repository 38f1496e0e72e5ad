#include "render/diffusion/vae_encoder.h"

#include <torch/torch.h>

namespace auhead::render::diffusion {

namespace {
constexpr double kEps = 1e-6;  // diffusers' VAE uses GroupNorm eps 1e-6 throughout
}

DownEncoderBlock2DImpl::DownEncoderBlock2DImpl(int64_t in_channels, int64_t out_channels, int64_t num_layers,
                                               int64_t groups, bool add_downsample) {
  torch::nn::ModuleList resnets;
  for (int64_t i = 0; i < num_layers; ++i) {
    resnet_list_.emplace_back(ResnetBlock2DOptions{i == 0 ? in_channels : out_channels, out_channels, 0, groups, kEps, 1.0});
    resnets->push_back(resnet_list_.back());
  }
  register_module("resnets", resnets);
  if (add_downsample) {
    downsampler_ = Downsample2D(out_channels, out_channels, /*padding=*/0);
    register_module("downsamplers", torch::nn::ModuleList(downsampler_));
  }
}

torch::Tensor DownEncoderBlock2DImpl::forward(torch::Tensor x) {
  for (auto& r : resnet_list_) x = r(x);
  if (downsampler_) x = downsampler_(x);
  return x;
}

VaeEncoderImpl::VaeEncoderImpl(const VaeConfig& c) {
  const auto& widths = c.block_out_channels;
  conv_in = register_module("conv_in", torch::nn::Conv2d(torch::nn::Conv2dOptions(c.in_channels, widths[0], 3).padding(1)));
  torch::nn::ModuleList down_blocks;
  int64_t prev = widths[0];
  for (std::size_t i = 0; i < widths.size(); ++i) {
    block_list_.emplace_back(prev, widths[i], c.layers_per_block, c.norm_num_groups, i + 1 < widths.size());
    down_blocks->push_back(block_list_.back());
    prev = widths[i];
  }
  register_module("down_blocks", down_blocks);
  mid_block = register_module("mid_block", VaeMidBlock(widths.back(), c.norm_num_groups, kEps, c.mid_block_add_attention));
  conv_norm_out = register_module(
      "conv_norm_out", torch::nn::GroupNorm(torch::nn::GroupNormOptions(c.norm_num_groups, widths.back()).eps(kEps)));
  conv_out = register_module(
      "conv_out", torch::nn::Conv2d(torch::nn::Conv2dOptions(widths.back(), 2 * c.latent_channels, 3).padding(1)));
}

torch::Tensor VaeEncoderImpl::forward(const torch::Tensor& image) {
  torch::Tensor h = conv_in(image);
  for (auto& b : block_list_) h = b(h);
  h = mid_block(h);
  return conv_out(torch::silu(conv_norm_out(h)));
}

}  // namespace auhead::render::diffusion
