// diffusers Downsample2D / Upsample2D with a conv named `conv`: stride-2 conv (the VAE pads (0,1,0,1)
// and convolves without padding) and nearest 2x upsampling followed by a 3x3 conv.
#pragma once
#include <torch/torch.h>

namespace auhead::render::diffusion {

class Downsample2DImpl : public torch::nn::Module {
 public:
  // padding 0 (VAE encoder): asymmetric zero pad (0,1,0,1) then conv stride 2; padding 1 (UNet): plain.
  Downsample2DImpl(int64_t channels, int64_t out_channels, int64_t padding);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  int64_t padding_;
  torch::nn::Conv2d conv{nullptr};
};
TORCH_MODULE(Downsample2D);

class Upsample2DImpl : public torch::nn::Module {
 public:
  Upsample2DImpl(int64_t channels, int64_t out_channels);
  // `size`: the target spatial size (for odd sizes in the UNet); empty: twice the input.
  torch::Tensor forward(const torch::Tensor& x, c10::optional<std::vector<int64_t>> size = c10::nullopt);

 private:
  torch::nn::Conv2d conv{nullptr};
};
TORCH_MODULE(Upsample2D);

}  // namespace auhead::render::diffusion
