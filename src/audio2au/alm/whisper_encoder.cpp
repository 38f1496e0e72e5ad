#include "audio2au/alm/whisper_encoder.h"

#include <torch/torch.h>

#include <limits>

#include "auhead/error.h"

namespace auhead::audio2au::alm {

namespace nn = torch::nn;

WhisperEncoderImpl::WhisperEncoderImpl(const WhisperEncoderConfig& c) : config_(c) {
  conv1 = register_module("conv1", nn::Conv1d(nn::Conv1dOptions(c.num_mel_bins, c.d_model, 3).padding(1)));
  conv2 = register_module("conv2", nn::Conv1d(nn::Conv1dOptions(c.d_model, c.d_model, 3).stride(2).padding(1)));
  embed_positions = register_module("embed_positions", nn::Embedding(c.max_source_positions, c.d_model));
  layers = register_module("layers", nn::ModuleList());
  for (int64_t i = 0; i < c.encoder_layers; ++i)
    layers->push_back(WhisperEncoderLayer(c.d_model, c.encoder_attention_heads, c.encoder_ffn_dim));
  layer_norm = register_module("layer_norm", nn::LayerNorm(nn::LayerNormOptions({c.d_model}).eps(1e-5)));
}

int64_t whisper_conv_output_length(int64_t mel_frames) { return (mel_frames - 1) / 2 + 1; }
int64_t qwen2_audio_output_length(int64_t mel_frames) { return (whisper_conv_output_length(mel_frames) - 2) / 2 + 1; }

WhisperEncoderOutput WhisperEncoderImpl::forward_all(const torch::Tensor& features,
                                                     const std::vector<int64_t>& valid_mel_frames) {
  if (features.dim() != 3 || features.size(1) != config_.num_mel_bins)
    throw usage_error("audio encoder: expected input features (B, " + std::to_string(config_.num_mel_bins) + ", T)");
  torch::Tensor x = torch::gelu(conv1(features.to(conv1->weight.dtype())));
  x = torch::gelu(conv2(x)).transpose(1, 2);  // (B, T/2, D)
  const int64_t t = x.size(1);
  if (t > config_.max_source_positions)
    throw usage_error("audio encoder: " + std::to_string(t) + " positions exceed max_source_positions " +
                      std::to_string(config_.max_source_positions));
  if (config_.scale_embedding) x = x * std::sqrt(static_cast<double>(config_.d_model));
  x = x + embed_positions->weight.narrow(0, 0, t);
  torch::Tensor key_mask;
  if (!valid_mel_frames.empty()) {
    if (static_cast<int64_t>(valid_mel_frames.size()) != x.size(0))
      throw usage_error("audio encoder: one valid length per batch row expected");
    key_mask = torch::zeros({x.size(0), 1, 1, t}, x.options());
    for (int64_t b = 0; b < x.size(0); ++b) {
      const int64_t valid = whisper_conv_output_length(valid_mel_frames[b]);
      if (valid_mel_frames[b] <= 0) throw usage_error("audio encoder: valid frame count must be positive");
      if (valid < t) key_mask[b].narrow(-1, valid, t - valid).fill_(-std::numeric_limits<float>::infinity());
    }
  }
  for (const auto& layer : *layers) x = layer->as<WhisperEncoderLayerImpl>()->forward(x, key_mask);
  WhisperEncoderOutput out;
  out.layers_out = x;
  torch::Tensor pooled = torch::avg_pool1d(x.transpose(1, 2), {2}, {2}).transpose(1, 2);
  out.pooled = layer_norm(pooled);
  return out;
}

}  // namespace auhead::audio2au::alm
