// diffusers BasicTransformerBlock (norm1-attn1, norm2-attn2, norm3-GEGLU FF, residuals) with reference attention
// (attn1 also attends the ReferenceNet's stored norm1 tokens) and the optional AU cross-attention adapter.
#pragma once
#include <torch/torch.h>

#include <string>

#include "render/diffusion/attention.h"
#include "render/diffusion/feed_forward.h"
#include "render/diffusion/unet_context.h"

namespace auhead::render::diffusion {

struct BasicTransformerBlockOptions {
  int64_t dim = 0;
  int64_t heads = 8;
  int64_t dim_head = 64;
  int64_t cross_attention_dim = 0;  // 0: no norm2/attn2 (PoseGuider's attention)
  double norm_eps = 1e-5;
  int64_t au_token_dim = 0;  // > 0: AU adapter (norm_au, attn_au; zero-initialised output) after attn2
};

class BasicTransformerBlockImpl : public torch::nn::Module {
 public:
  explicit BasicTransformerBlockImpl(const BasicTransformerBlockOptions& options);
  // x (batch*frames, tokens, dim).
  torch::Tensor forward(const torch::Tensor& x, const UNetContext& context);
  // The key under which this block writes/reads reference tokens (its dotted name in the UNet).
  void set_bank_key(std::string key) { bank_key_ = std::move(key); }
  const std::string& bank_key() const { return bank_key_; }

 private:
  // Everything after the spatial self-attention: cross-attention, AU adapter, feed-forward.
  torch::Tensor finish(torch::Tensor h, const UNetContext& context);
  std::string bank_key_;
  torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr}, norm3{nullptr};
  Attention attn1{nullptr}, attn2{nullptr}, attn_au{nullptr};
  torch::nn::LayerNorm norm_au{nullptr};
  FeedForward ff{nullptr};
};
TORCH_MODULE(BasicTransformerBlock);

// Gives every BasicTransformerBlock under `root` its dotted name as bank key.
void assign_bank_keys(torch::nn::Module& root);

}  // namespace auhead::render::diffusion
