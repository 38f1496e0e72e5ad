// diffusers ResnetBlock2D: GroupNorm-SiLU-conv twice with a residual (1x1 conv_shortcut when the width
// changes) and an optional timestep-embedding projection; parameter names follow diffusers.
#pragma once
#include <torch/torch.h>

namespace auhead::render::diffusion {

struct ResnetBlock2DOptions {
  int64_t in_channels = 0;
  int64_t out_channels = 0;  // 0: same as in_channels
  int64_t temb_channels = 0;  // 0: no time_emb_proj (VAE)
  int64_t groups = 32;
  double eps = 1e-6;
  double output_scale_factor = 1.0;
};

class ResnetBlock2DImpl : public torch::nn::Module {
 public:
  explicit ResnetBlock2DImpl(const ResnetBlock2DOptions& options);
  // `temb` (B, temb_channels) may be undefined when the block has no time_emb_proj.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& temb = {});

 private:
  ResnetBlock2DOptions options_;
  torch::nn::GroupNorm norm1{nullptr}, norm2{nullptr};
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, conv_shortcut{nullptr};
  torch::nn::Linear time_emb_proj{nullptr};
};
TORCH_MODULE(ResnetBlock2D);

}  // namespace auhead::render::diffusion
