// The AU adapter's input side: a per-frame AU intensity vector -> T tokens for the extra AU
// cross-attention (MLP proj_in, SiLU, proj_out, LayerNorm `norm`), under `au_encoder` in the UNet.
#pragma once
#include <torch/torch.h>

namespace auhead::render::diffusion {

struct AuTokenEncoderOptions {
  int64_t au_dim = 30;
  int64_t tokens = 4;
  int64_t hidden = 256;
  int64_t token_dim = 768;
};

class AuTokenEncoderImpl : public torch::nn::Module {
 public:
  explicit AuTokenEncoderImpl(const AuTokenEncoderOptions& options);
  torch::Tensor forward(const torch::Tensor& au);  // (N, au_dim) -> (N, tokens, token_dim)

 private:
  AuTokenEncoderOptions options_;
  torch::nn::Linear proj_in{nullptr}, proj_out{nullptr};
  torch::nn::LayerNorm norm{nullptr};
};
TORCH_MODULE(AuTokenEncoder);

}  // namespace auhead::render::diffusion
