#include "render/diffusion/unet_up_block.h"

#include <torch/torch.h>

#include "render/diffusion/motion_module.h"
#include "render/diffusion/resampling.h"
#include "render/diffusion/resnet_block.h"
#include "render/diffusion/transformer_2d.h"

namespace auhead::render::diffusion {

UNetUpBlockImpl::UNetUpBlockImpl(const UNetBlockOptions& o) {
  resnets = register_module("resnets", torch::nn::ModuleList());
  if (o.has_attention) attentions = register_module("attentions", torch::nn::ModuleList());
  if (o.has_motion) motion_modules = register_module("motion_modules", torch::nn::ModuleList());
  for (int64_t i = 0; i < o.layers; ++i) {
    const int64_t skip = i == o.layers - 1 ? o.in_channels : o.out_channels;
    const int64_t in = i == 0 ? o.prev_output_channels : o.out_channels;
    resnets->push_back(ResnetBlock2D(ResnetBlock2DOptions{in + skip, o.out_channels, o.temb_channels, o.groups, o.eps, 1.0}));
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
    upsamplers = register_module("upsamplers", torch::nn::ModuleList());
    upsamplers->push_back(Upsample2D(o.out_channels, o.out_channels));
  }
}

torch::Tensor UNetUpBlockImpl::forward(const torch::Tensor& x, const torch::Tensor& temb, const UNetContext& context,
                                       std::vector<torch::Tensor>& skips, std::optional<std::vector<int64_t>> upsample_size) {
  torch::Tensor h = x;
  for (std::size_t i = 0; i < resnets->size(); ++i) {
    h = torch::cat({h, skips.back()}, 1);
    skips.pop_back();
    h = resnets[i]->as<ResnetBlock2DImpl>()->forward(h, temb);
    if (attentions) h = attentions[i]->as<Transformer2DImpl>()->forward(h, context);
    if (motion_modules) h = motion_modules[i]->as<MotionModuleImpl>()->forward(h, context.frames);
  }
  if (upsamplers) {
    c10::optional<std::vector<int64_t>> size;
    if (upsample_size) size = *upsample_size;
    h = upsamplers[0]->as<Upsample2DImpl>()->forward(h, size);
  }
  return h;
}

}  // namespace auhead::render::diffusion
