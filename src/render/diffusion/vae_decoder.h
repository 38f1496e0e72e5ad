// diffusers VAE Decoder: conv_in from the latent, mid_block, UpDecoderBlock2D per width in reverse
// (layers_per_block + 1 resnets, nearest 2x upsampler except the last), conv_norm_out, SiLU, conv_out.
#pragma once
#include <torch/torch.h>

#include "render/diffusion/resampling.h"
#include "render/diffusion/resnet_block.h"
#include "render/diffusion/vae_config.h"
#include "render/diffusion/vae_mid_block.h"

namespace auhead::render::diffusion {

class UpDecoderBlock2DImpl : public torch::nn::Module {
 public:
  UpDecoderBlock2DImpl(int64_t in_channels, int64_t out_channels, int64_t num_layers, int64_t groups, bool add_upsample);
  torch::Tensor forward(torch::Tensor x);

 private:
  std::vector<ResnetBlock2D> resnet_list_;
  Upsample2D upsampler_{nullptr};
};
TORCH_MODULE(UpDecoderBlock2D);

class VaeDecoderImpl : public torch::nn::Module {
 public:
  explicit VaeDecoderImpl(const VaeConfig& config);
  torch::Tensor forward(const torch::Tensor& z);  // (B, latent, h, w) -> (B, out, h*f, w*f)

 private:
  torch::nn::Conv2d conv_in{nullptr}, conv_out{nullptr};
  VaeMidBlock mid_block{nullptr};
  std::vector<UpDecoderBlock2D> block_list_;
  torch::nn::GroupNorm conv_norm_out{nullptr};
};
TORCH_MODULE(VaeDecoder);

}  // namespace auhead::render::diffusion
