// AnimateDiff's VanillaTemporalModule (AniPortrait's motion modules): `temporal_transformer` =
// GroupNorm, proj_in (linear), TemporalTransformerBlocks, proj_out, residual; mixes each pixel over frames.
#pragma once
#include <torch/torch.h>

namespace auhead::render::diffusion {

struct MotionModuleOptions {
  int64_t channels = 0;
  int64_t heads = 8;
  int64_t num_transformer_block = 1;
  int64_t attention_blocks = 2;  // "Temporal_Self" entries of attention_block_types
  int64_t position_encoding_max_len = 32;  // 0: no temporal position encoding
  int64_t attention_dim_div = 1;
  int64_t groups = 32;
};

class MotionModuleImpl : public torch::nn::Module {
 public:
  explicit MotionModuleImpl(const MotionModuleOptions& options);
  torch::Tensor forward(const torch::Tensor& x, int64_t frames);  // (batch*frames, C, H, W) -> same

 private:
  std::shared_ptr<torch::nn::Module> temporal_transformer;
  torch::nn::GroupNorm norm{nullptr};
  torch::nn::Linear proj_in{nullptr}, proj_out{nullptr};
  torch::nn::ModuleList transformer_blocks{nullptr};
};
TORCH_MODULE(MotionModule);

}  // namespace auhead::render::diffusion
