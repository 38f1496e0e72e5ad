// diffusers VAE Encoder: conv_in, DownEncoderBlock2D per width (resnets + stride-2 downsampler except
// the last), mid_block, conv_norm_out, SiLU, conv_out to 2 x latent channels (mean and log-variance).
#pragma once
#include <torch/torch.h>

#include "render/diffusion/resampling.h"
#include "render/diffusion/resnet_block.h"
#include "render/diffusion/vae_config.h"
#include "render/diffusion/vae_mid_block.h"

namespace auhead::render::diffusion {

class DownEncoderBlock2DImpl : public torch::nn::Module {
 public:
  DownEncoderBlock2DImpl(int64_t in_channels, int64_t out_channels, int64_t num_layers, int64_t groups,
                         bool add_downsample);
  torch::Tensor forward(torch::Tensor x);

 private:
  std::vector<ResnetBlock2D> resnet_list_;
  Downsample2D downsampler_{nullptr};
};
TORCH_MODULE(DownEncoderBlock2D);

class VaeEncoderImpl : public torch::nn::Module {
 public:
  explicit VaeEncoderImpl(const VaeConfig& config);
  torch::Tensor forward(const torch::Tensor& image);  // (B, in, H, W) -> (B, 2 latent, H/f, W/f)

 private:
  torch::nn::Conv2d conv_in{nullptr}, conv_out{nullptr};
  std::vector<DownEncoderBlock2D> block_list_;
  VaeMidBlock mid_block{nullptr};
  torch::nn::GroupNorm conv_norm_out{nullptr};
};
TORCH_MODULE(VaeEncoder);

}  // namespace auhead::render::diffusion
