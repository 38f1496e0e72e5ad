#include "audio2au/alm/qwen2_decoder_layer.h"

#include <torch/torch.h>

namespace auhead::audio2au::alm {

Qwen2DecoderLayerImpl::Qwen2DecoderLayerImpl(const Qwen2DecoderConfig& c) {
  self_attn = register_module("self_attn", Qwen2Attention(c));
  mlp = register_module("mlp", Qwen2Mlp(c.hidden_size, c.intermediate_size));
  input_layernorm = register_module("input_layernorm", RmsNorm(c.hidden_size, c.rms_norm_eps));
  post_attention_layernorm = register_module("post_attention_layernorm", RmsNorm(c.hidden_size, c.rms_norm_eps));
}

torch::Tensor Qwen2DecoderLayerImpl::forward(const torch::Tensor& x, const RopeTables& rope, KvCacheLayer* cache) {
  torch::Tensor h = x + self_attn->forward(input_layernorm(x), rope, cache);
  return h + mlp(post_attention_layernorm(h));
}

}  // namespace auhead::audio2au::alm
