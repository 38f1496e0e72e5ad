// What every UNet block reads besides its input: the text/image tokens, the frame count (the 3D UNet
// runs per frame on (batch*frames) samples) and the reference-attention bank (ReferenceNet injection).
#pragma once
#include <torch/torch.h>

#include <map>
#include <string>

namespace auhead::render::diffusion {

// Normalised hidden states entering each spatial self-attention, by the transformer block's name
// ("down_blocks.0.attentions.0.transformer_blocks.0"): written by the ReferenceNet, read by the
// denoising UNet's block of the same name.
struct ReferenceBank {
  std::map<std::string, torch::Tensor> tokens;
};

enum class ReferenceMode { none, write, read };

struct UNetContext {
  torch::Tensor encoder_hidden_states;  // (batch*frames, tokens, cross_attention_dim), may be undefined
  int64_t frames = 1;
  ReferenceMode mode = ReferenceMode::none;
  ReferenceBank* bank = nullptr;
  // Per sample (batch*frames): 1 = attn1 also attends the reference tokens, 0 = plain self-attention
  // (batched guidance branches). Undefined: every sample reads the bank.
  torch::Tensor reference_mask;
  // AU adapter: tokens (batch*frames, T, D) for the extra cross-attention; undefined: the adapter is
  // skipped. au_mask (batch*frames) scales its output per sample (0 for branches without AU).
  torch::Tensor au_tokens;
  torch::Tensor au_mask;
};

}  // namespace auhead::render::diffusion
