#include "render/diffusion/basic_transformer_block.h"

#include <torch/torch.h>

#include <limits>

#include "auhead/error.h"

namespace auhead::render::diffusion {

BasicTransformerBlockImpl::BasicTransformerBlockImpl(const BasicTransformerBlockOptions& o) {
  auto ln = [&](int64_t d) { return torch::nn::LayerNorm(torch::nn::LayerNormOptions({d}).eps(o.norm_eps)); };
  norm1 = register_module("norm1", ln(o.dim));
  attn1 = register_module("attn1", Attention(AttentionOptions{o.dim, 0, o.heads, o.dim_head, 0}));
  if (o.cross_attention_dim > 0) {
    norm2 = register_module("norm2", ln(o.dim));
    attn2 = register_module("attn2", Attention(AttentionOptions{o.dim, o.cross_attention_dim, o.heads, o.dim_head, 0}));
  }
  if (o.au_token_dim > 0) {
    norm_au = register_module("norm_au", ln(o.dim));
    attn_au = register_module("attn_au", Attention(AttentionOptions{o.dim, o.au_token_dim, o.heads, o.dim_head, 0}));
    attn_au->zero_output();
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
      // (b) -> (branch, b, frames): every frame of every guidance branch reads its video's tokens.
      const int64_t per_branch = ref.size(0) * context.frames;
      if (n.size(0) % per_branch != 0)
        throw Error(ExitCode::internal, "reference tokens for '" + bank_key_ + "' have batch " +
                                            std::to_string(ref.size(0)) + ", the UNet runs " +
                                            std::to_string(n.size(0)) + " samples");
      ref = ref.repeat_interleave(context.frames, 0).repeat({n.size(0) / per_branch, 1, 1});
    }
    if (context.reference_mask.defined()) {
      // Samples without reference (a guidance branch) attend only to their own tokens: run them apart
      // rather than masking the reference keys, which would spend the same work on ignored keys.
      const torch::Tensor on = context.reference_mask.to(torch::kCPU) != 0;
      const torch::Tensor on_idx = on.nonzero().flatten().to(n.device());
      const torch::Tensor off_idx = on.logical_not().nonzero().flatten().to(n.device());
      if (on_idx.numel() == 0) return finish(attn1(n) + x, context);
      if (off_idx.numel() > 0) {
        const torch::Tensor n_on = n.index_select(0, on_idx);
        torch::Tensor out = torch::empty_like(x);
        out.index_copy_(0, on_idx, attn1(n_on, torch::cat({n_on, ref.index_select(0, on_idx)}, 1)));
        out.index_copy_(0, off_idx, attn1(n.index_select(0, off_idx)));
        return finish(out + x, context);
      }
    }
    kv = torch::cat({n, ref}, 1);
  }
  return finish(attn1(n, kv) + x, context);
}

torch::Tensor BasicTransformerBlockImpl::finish(torch::Tensor h, const UNetContext& context) {
  if (attn2) h = attn2(norm2(h), context.encoder_hidden_states) + h;
  if (attn_au && context.au_tokens.defined()) {
    // The adapter runs in its own dtype: in mixed-precision training it stays float32 over a bf16/fp16 base.
    const auto dtype = norm_au->weight.scalar_type();
    torch::Tensor a = attn_au(norm_au(h.to(dtype)), context.au_tokens.to(dtype));
    if (context.au_mask.defined()) a = a * context.au_mask.to(a.dtype()).view({-1, 1, 1});
    h = a.to(h.scalar_type()) + h;
  }
  return ff(norm3(h)) + h;
}

void assign_bank_keys(torch::nn::Module& root) {
  for (const auto& item : root.named_modules("", /*include_self=*/false))
    if (auto* block = dynamic_cast<BasicTransformerBlockImpl*>(item.value().get())) block->set_bank_key(item.key());
}

}  // namespace auhead::render::diffusion
