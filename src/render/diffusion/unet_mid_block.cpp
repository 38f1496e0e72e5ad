#include "render/diffusion/unet_mid_block.h"

#include <torch/torch.h>

#include "render/diffusion/motion_module.h"
#include "render/diffusion/resnet_block.h"
#include "render/diffusion/transformer_2d.h"

namespace auhead::render::diffusion {

UNetMidBlockImpl::UNetMidBlockImpl(const UNetBlockOptions& o) {
  const int64_t c = o.in_channels;
  resnets = register_module("resnets", torch::nn::ModuleList());
  attentions = register_module("attentions", torch::nn::ModuleList());
  if (o.has_motion) motion_modules = register_module("motion_modules", torch::nn::ModuleList());
  resnets->push_back(ResnetBlock2D(ResnetBlock2DOptions{c, c, o.temb_channels, o.groups, o.eps, 1.0}));
  for (int64_t i = 0; i < o.layers; ++i) {
    attentions->push_back(
        Transformer2D(Transformer2DOptions{c, o.heads, c / o.heads, o.cross_attention_dim, 1, o.groups, o.use_linear_projection, o.au_token_dim}));
    if (motion_modules) {
      MotionModuleOptions m = o.motion;
      m.channels = c;
      motion_modules->push_back(MotionModule(m));
    }
    resnets->push_back(ResnetBlock2D(ResnetBlock2DOptions{c, c, o.temb_channels, o.groups, o.eps, 1.0}));
  }
}

torch::Tensor UNetMidBlockImpl::forward(const torch::Tensor& x, const torch::Tensor& temb, const UNetContext& context) {
  torch::Tensor h = resnets[0]->as<ResnetBlock2DImpl>()->forward(x, temb);
  for (std::size_t i = 0; i < attentions->size(); ++i) {
    h = attentions[i]->as<Transformer2DImpl>()->forward(h, context);
    if (motion_modules) h = motion_modules[i]->as<MotionModuleImpl>()->forward(h, context.frames);
    h = resnets[i + 1]->as<ResnetBlock2DImpl>()->forward(h, temb);
  }
  return h;
}

}  // namespace auhead::render::diffusion
