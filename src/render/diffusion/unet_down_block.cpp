#include "render/diffusion/unet_down_block.h"

#include <torch/torch.h>

#include "render/diffusion/motion_module.h"
#include "render/diffusion/resampling.h"
#include "render/diffusion/resnet_block.h"
#include "render/diffusion/transformer_2d.h"

namespace auhead::render::diffusion {

UNetDownBlockImpl::UNetDownBlockImpl(const UNetBlockOptions& o) {
  resnets = register_module("resnets", torch::nn::ModuleList());
  if (o.has_attention) attentions = register_module("attentions", torch::nn::ModuleList());
  if (o.has_motion) motion_modules = register_module("motion_modules", torch::nn::ModuleList());
  for (int64_t i = 0; i < o.layers; ++i) {
    const int64_t in = i == 0 ? o.in_channels : o.out_channels;
    resnets->push_back(ResnetBlock2D(ResnetBlock2DOptions{in, o.out_channels, o.temb_channels, o.groups, o.eps, 1.0}));
    if (attentions)
      attentions->push_back(Transformer2D(Transformer2DOptions{o.out_channels, o.heads, o.out_channels / o.heads,
                                                               o.cross_attention_dim, 1, o.groups, o.use_linear_projection, o.au_token_dim}));
    if (motion_modules) {
      MotionModuleOptions m = o.motion;
      m.channels = o.out_channels;
      motion_modules->push_back(MotionModule(m));
    }
  }
  if (o.add_resample) {
    downsamplers = register_module("downsamplers", torch::nn::ModuleList());
    downsamplers->push_back(Downsample2D(o.out_channels, o.out_channels, 1));
  }
}

torch::Tensor UNetDownBlockImpl::forward(const torch::Tensor& x, const torch::Tensor& temb, const UNetContext& context,
                                         std::vector<torch::Tensor>& skips) {
  torch::Tensor h = x;
  for (std::size_t i = 0; i < resnets->size(); ++i) {
    h = resnets[i]->as<ResnetBlock2DImpl>()->forward(h, temb);
    if (attentions) h = attentions[i]->as<Transformer2DImpl>()->forward(h, context);
    if (motion_modules) h = motion_modules[i]->as<MotionModuleImpl>()->forward(h, context.frames);
    skips.push_back(h);
  }
  if (downsamplers) {
    h = downsamplers[0]->as<Downsample2DImpl>()->forward(h);
    skips.push_back(h);
  }
  return h;
}

}  // namespace auhead::render::diffusion
