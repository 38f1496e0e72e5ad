#include "audio2au/alm/qwen2_decoder.h"

#include <torch/torch.h>

#include "core/activation_checkpoint.h"

namespace auhead::audio2au::alm {

namespace nn = torch::nn;

Qwen2DecoderImpl::Qwen2DecoderImpl(const Qwen2DecoderConfig& c) : config_(c) {
  auto model = std::make_shared<nn::Module>();
  embed_tokens = model->register_module("embed_tokens", nn::Embedding(c.vocab_size, c.hidden_size));
  layers = model->register_module("layers", nn::ModuleList());
  for (int64_t i = 0; i < c.num_hidden_layers; ++i) layers->push_back(Qwen2DecoderLayer(c));
  norm = model->register_module("norm", RmsNorm(c.hidden_size, c.rms_norm_eps));
  register_module("model", model);
  lm_head = register_module("lm_head", nn::Linear(nn::LinearOptions(c.hidden_size, c.vocab_size).bias(false)));
}

torch::Tensor Qwen2DecoderImpl::embed(const torch::Tensor& ids) { return embed_tokens(ids); }

void Qwen2DecoderImpl::tie_weights() {
  torch::NoGradGuard no_grad;
  lm_head->weight.copy_(embed_tokens->weight);
}

torch::Tensor Qwen2DecoderImpl::forward(const torch::Tensor& embeds, KvCache* cache, bool last_only) {
  return lm_head(hidden_states(embeds, cache, last_only));
}

torch::Tensor Qwen2DecoderImpl::logits_for(const torch::Tensor& hidden, const torch::Tensor& ids) {
  return torch::matmul(hidden, lm_head->weight.index_select(0, ids).t());
}

torch::Tensor Qwen2DecoderImpl::hidden_states(const torch::Tensor& embeds, KvCache* cache, bool last_only) {
  const int64_t start = cache ? cache->length() : 0;
  const int64_t n = static_cast<int64_t>(layers->size());
  if (cache && cache->layers.size() != static_cast<std::size_t>(n)) cache->layers.assign(n, KvCacheLayer());
  const RopeTables rope = rope_tables(config_.head_dim(), config_.rope_theta, start, embeds.size(1), rope_dtype_);
  torch::Tensor x = embeds;
  for (int64_t i = 0; i < n; ++i) {
    auto* layer = layers[i]->as<Qwen2DecoderLayerImpl>();
    if (gradient_checkpointing_ && !cache && torch::GradMode::is_enabled())
      x = checkpointed([layer, rope](const torch::Tensor& h) { return layer->forward(h, rope, nullptr); }, x);
    else
      x = layer->forward(x, rope, cache ? &cache->layers[i] : nullptr);
  }
  if (last_only) x = x.narrow(1, x.size(1) - 1, 1);
  return norm(x);
}

}  // namespace auhead::audio2au::alm
