// The Qwen2 causal language model under Hugging Face's names: model.{embed_tokens, layers, norm} and
// lm_head (untied, or tied to embed_tokens when the config says so). Takes embeddings, so that audio
// embeddings can stand in for tokens; a KV cache makes generation incremental.
#pragma once
#include <torch/torch.h>

#include "audio2au/alm/kv_cache.h"
#include "audio2au/alm/qwen2_audio_config.h"
#include "audio2au/alm/qwen2_decoder_layer.h"

namespace auhead::audio2au::alm {

class Qwen2DecoderImpl : public torch::nn::Module {
 public:
  explicit Qwen2DecoderImpl(const Qwen2DecoderConfig& c);
  torch::Tensor embed(const torch::Tensor& ids);  // (B, T) -> (B, T, H)
  // Logits (B, T, vocab) of `embeds` (B, T, H) at positions cache.length() ...; with a cache, it is
  // extended by these T tokens. Without one, the positions start at 0. With last_only, only the last
  // position's logits (B, 1, vocab) are computed: all that generation needs, and the vocabulary
  // projection is most of a small model's cost.
  torch::Tensor forward(const torch::Tensor& embeds, KvCache* cache = nullptr, bool last_only = false);
  // The same pass up to the final norm: hidden states (B, T or 1, H).
  torch::Tensor hidden_states(const torch::Tensor& embeds, KvCache* cache = nullptr, bool last_only = false);
  // Logits of `hidden` (..., H) for the given token ids only (..., ids): when decoding is
  // constrained to a few tokens, the rest of the vocabulary projection need not be computed.
  torch::Tensor logits_for(const torch::Tensor& hidden, const torch::Tensor& ids);
  // The vocabulary projection of hidden states (..., H) -> (..., vocab). Training applies it to the
  // answer positions only.
  torch::Tensor project(const torch::Tensor& hidden) { return lm_head(hidden); }
  // After loading: copies embed_tokens into lm_head when the embeddings are tied.
  void tie_weights();
  // The dtype RoPE tables are rounded to: the checkpoint's (fp16, bf16) so that float32 inference
  // reproduces the references, which hold cos/sin in the model's dtype. Default float32.
  void set_rope_dtype(torch::ScalarType dtype) { rope_dtype_ = dtype; }
  // Training: run each decoder layer checkpointed (core/activation_checkpoint.h) when autograd is on,
  // keeping one layer's activations instead of all of them.
  void set_gradient_checkpointing(bool on) { gradient_checkpointing_ = on; }
  const Qwen2DecoderConfig& config() const { return config_; }

 private:
  Qwen2DecoderConfig config_;
  torch::ScalarType rope_dtype_ = torch::kFloat;
  bool gradient_checkpointing_ = false;
  torch::nn::Embedding embed_tokens{nullptr};
  torch::nn::ModuleList layers{nullptr};
  RmsNorm norm{nullptr};
  torch::nn::Linear lm_head{nullptr};
};
TORCH_MODULE(Qwen2Decoder);

}  // namespace auhead::audio2au::alm
