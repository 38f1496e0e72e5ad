// Qwen2-Audio's audio tower: Whisper's encoder (conv1, conv2 stride 2 with GELU, learned positions,
// pre-norm blocks) with Qwen2-Audio's tail (average pool by 2 over time, layer_norm): 40 ms per output.
#pragma once
#include <torch/torch.h>

#include <vector>

#include "audio2au/alm/qwen2_audio_config.h"
#include "audio2au/alm/whisper_encoder_layer.h"

namespace auhead::audio2au::alm {

struct WhisperEncoderOutput {
  torch::Tensor layers_out;  // (B, T/2, D): after the blocks, before pooling
  torch::Tensor pooled;      // (B, T/4, D): pooled and layer-normed (what the projector takes)
};

class WhisperEncoderImpl : public torch::nn::Module {
 public:
  explicit WhisperEncoderImpl(const WhisperEncoderConfig& config);
  // input_features (B, n_mels, T) with T even and T/2 <= max_source_positions. `valid_mel_frames`
  // (one per batch row, or empty for none) masks the attention keys of the padding, as Qwen2-Audio
  // does for audio shorter than the window; outputs past qwen2_audio_output_length() are then padding.
  WhisperEncoderOutput forward_all(const torch::Tensor& input_features, const std::vector<int64_t>& valid_mel_frames = {});
  torch::Tensor forward(const torch::Tensor& input_features) { return forward_all(input_features).pooled; }
  const WhisperEncoderConfig& config() const { return config_; }

 private:
  WhisperEncoderConfig config_;
  torch::nn::Conv1d conv1{nullptr}, conv2{nullptr};
  torch::nn::Embedding embed_positions{nullptr};
  torch::nn::ModuleList layers{nullptr};
  torch::nn::LayerNorm layer_norm{nullptr};
};
TORCH_MODULE(WhisperEncoder);

// Encoder positions after conv2 ((n - 1) / 2 + 1) and audio embeddings after pooling
// ((positions - 2) / 2 + 1) for n valid mel frames: 3000 -> 1500 -> 750.
int64_t whisper_conv_output_length(int64_t mel_frames);
int64_t qwen2_audio_output_length(int64_t mel_frames);

}  // namespace auhead::audio2au::alm
