// One Qwen2 decoder block: x + self_attn(input_layernorm(x)), then + mlp(post_attention_layernorm(x)).
#pragma once
#include <torch/torch.h>

#include "audio2au/alm/qwen2_attention.h"
#include "audio2au/alm/qwen2_mlp.h"
#include "audio2au/alm/rms_norm.h"

namespace auhead::audio2au::alm {

class Qwen2DecoderLayerImpl : public torch::nn::Module {
 public:
  explicit Qwen2DecoderLayerImpl(const Qwen2DecoderConfig& c);
  torch::Tensor forward(const torch::Tensor& x, const RopeTables& rope, KvCacheLayer* cache);

 private:
  Qwen2Attention self_attn{nullptr};
  Qwen2Mlp mlp{nullptr};
  RmsNorm input_layernorm{nullptr}, post_attention_layernorm{nullptr};
};
TORCH_MODULE(Qwen2DecoderLayer);

}  // namespace auhead::audio2au::alm
