// diffusers CrossAttnUpBlock2D / UpBlock2D and AniPortrait's 3D versions: each layer concatenates the
// matching down-path skip, then resnets.N, attentions.N, motion_modules.N; upsamplers.0 at the end.
#pragma once
#include <torch/torch.h>

#include <optional>
#include <vector>

#include "render/diffusion/unet_block_options.h"
#include "render/diffusion/unet_context.h"

namespace auhead::render::diffusion {

class UNetUpBlockImpl : public torch::nn::Module {
 public:
  explicit UNetUpBlockImpl(const UNetBlockOptions& options);
  // Pops one skip per layer from the back of `skips`; `upsample_size` forces the output size (odd inputs).
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& temb, const UNetContext& context,
                        std::vector<torch::Tensor>& skips, std::optional<std::vector<int64_t>> upsample_size = {});
  int64_t layers() const { return static_cast<int64_t>(resnets->size()); }

 private:
  torch::nn::ModuleList resnets{nullptr}, attentions{nullptr}, motion_modules{nullptr}, upsamplers{nullptr};
};
TORCH_MODULE(UNetUpBlock);

}  // namespace auhead::render::diffusion
