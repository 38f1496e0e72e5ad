#include "render/diffusion/resnet_block.h"

#include <torch/torch.h>

namespace auhead::render::diffusion {

namespace F = torch::nn::functional;

ResnetBlock2DImpl::ResnetBlock2DImpl(const ResnetBlock2DOptions& options) : options_(options) {
  if (options_.out_channels == 0) options_.out_channels = options_.in_channels;
  const int64_t in = options_.in_channels, out = options_.out_channels;
  norm1 = register_module("norm1", torch::nn::GroupNorm(torch::nn::GroupNormOptions(options_.groups, in).eps(options_.eps)));
  conv1 = register_module("conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 3).padding(1)));
  if (options_.temb_channels > 0)
    time_emb_proj = register_module("time_emb_proj", torch::nn::Linear(options_.temb_channels, out));
  norm2 = register_module("norm2", torch::nn::GroupNorm(torch::nn::GroupNormOptions(options_.groups, out).eps(options_.eps)));
  conv2 = register_module("conv2", torch::nn::Conv2d(torch::nn::Conv2dOptions(out, out, 3).padding(1)));
  if (in != out) conv_shortcut = register_module("conv_shortcut", torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 1)));
}

torch::Tensor ResnetBlock2DImpl::forward(const torch::Tensor& x, const torch::Tensor& temb) {
  torch::Tensor h = conv1(F::silu(norm1(x)));
  if (time_emb_proj && temb.defined()) h = h + time_emb_proj(F::silu(temb)).unsqueeze(-1).unsqueeze(-1);
  h = conv2(F::silu(norm2(h)));
  torch::Tensor shortcut = conv_shortcut ? conv_shortcut(x) : x;
  torch::Tensor out = shortcut + h;
  return options_.output_scale_factor == 1.0 ? out : out / options_.output_scale_factor;
}

}  // namespace auhead::render::diffusion
