#include "render/diffusion/basic_transformer_block.h"

#include <torch/torch.h>

#include "auhead/error.h"

namespace auhead::diffusion {

BasicTransformerBlockImpl::BasicTransformerBlockImpl(const BasicTransformerBlockOptions& o) {
  auto ln = [&](int64_t d) { return torch::nn::LayerNorm(torch::nn::LayerNormOptions({d}).eps(o.norm_eps)); };
  norm1 = register_module("norm1", ln(o.dim));
  attn1 = register_module("attn1", Attention(AttentionOptions{o.dim, 0, o.heads, o.dim_head, 0}));
  if (o.cross_attention_dim > 0) {
    norm2 = register_module("norm2", ln(o.dim));
    attn2 = register_module("attn2", Attention(AttentionOptions{o.dim, o.cross_attention_dim, o.heads, o.dim_head, 0}));
  }
  norm3 = register_module("norm3", ln(o.dim));
  ff = register_module("ff", FeedForward(o.dim));
}

torch::Tensor BasicTransformerBlockImpl::forward(const torch::Tensor& x, const UNetContext& context) {
  torch::Tensor n = norm1(x);
  torch::Tensor kv;  // undefined: plain self-attention
  if (context.bank && context.mode == ReferenceMode::write) {
    context.bank->tokens[bank_key_] = n;
  } else if (context.bank && context.mode == ReferenceMode::read) {
    auto it = context.bank->tokens.find(bank_key_);
    if (it == context.bank->tokens.end())
      throw Error(ExitCode::internal, "reference bank holds no tokens for '" + bank_key_ + "'");
    torch::Tensor ref = it->second;
    if (ref.size(0) != n.size(0)) {
      if (n.size(0) != ref.size(0) * context.frames)
        throw Error(ExitCode::internal, "reference tokens for '" + bank_key_ + "' have batch " +
                                            std::to_string(ref.size(0)) + ", the UNet runs " +
                                            std::to_string(n.size(0)) + " samples");
      ref = ref.repeat_interleave(context.frames, 0);
    }
    kv = torch::cat({n, ref}, 1);
  }
  torch::Tensor h = attn1(n, kv) + x;
  if (attn2) h = attn2(norm2(h), context.encoder_hidden_states) + h;
  return ff(norm3(h)) + h;
}

void assign_bank_keys(torch::nn::Module& root) {
  for (const auto& item : root.named_modules("", /*include_self=*/false))
    if (auto* block = dynamic_cast<BasicTransformerBlockImpl*>(item.value().get())) block->set_bank_key(item.key());
}

}  // namespace auhead::diffusion
