// What every UNet block reads besides its input: the text/image tokens, the frame count (the 3D UNet
// runs per frame on (batch*frames) samples) and the reference-attention bank (ReferenceNet injection).
#pragma once
#include <torch/torch.h>

#include <map>
#include <string>

namespace auhead::diffusion {

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
};

}  // namespace auhead::diffusion
