// The whole Qwen2-Audio (Hugging Face Qwen2AudioForConditionalGeneration keys): audio_tower,
// multi_modal_projector, language_model; audio embeddings replace the audio-token positions.
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <optional>
#include <vector>

#include "audio2au/alm/audio_projector.h"
#include "audio2au/alm/kv_cache.h"
#include "audio2au/alm/qwen2_audio_config.h"
#include "audio2au/alm/qwen2_decoder.h"
#include "audio2au/alm/whisper_encoder.h"

namespace auhead::audio2au::alm {

class Qwen2AudioModelImpl : public torch::nn::Module {
 public:
  explicit Qwen2AudioModelImpl(const Qwen2AudioConfig& config);  // needs config.text

  // Log-mel features (B, n_mels, T) -> projected audio embeddings (B, T/4, text hidden). With
  // `valid_mel_frames` (B = 1: the frames that hold signal, whisper_valid_frames()), the padding is
  // masked and only the qwen2_audio_output_length() embeddings of the signal are returned, as
  // Qwen2-Audio's processor puts that many audio tokens in the prompt.
  torch::Tensor encode_audio(const torch::Tensor& input_features, std::optional<int64_t> valid_mel_frames = {});
  // Token embeddings of ids (1, T) with the audio_token_index positions replaced, in order, by the
  // rows of audio_embeds (1, N, H) (or none when undefined); a count mismatch is a usage error.
  torch::Tensor embed(const torch::Tensor& input_ids, const torch::Tensor& audio_embeds = {});
  // Logits (1, T, vocab) of the embedded prompt, or (1, 1, vocab) of its last position with last_only
  // (and updates `cache` when given).
  torch::Tensor forward(const torch::Tensor& embeds, KvCache* cache = nullptr, bool last_only = false) {
    return language_model->forward(embeds, cache, last_only);
  }

  // Greedy decoding: up to max_new_tokens ids chosen by argmax after the prompt, stopping after one
  // of stop_ids. With use_cache the prompt runs once and each new token once; without, the whole
  // sequence runs again per token (the reference the cached path is tested against).
  std::vector<int64_t> generate_greedy(const torch::Tensor& input_ids, const torch::Tensor& audio_embeds,
                                       int64_t max_new_tokens, const std::vector<int64_t>& stop_ids = {},
                                       bool use_cache = true);

  const Qwen2AudioConfig& config() const { return config_; }
  WhisperEncoder audio_tower{nullptr};
  AudioProjector multi_modal_projector{nullptr};
  Qwen2Decoder language_model{nullptr};

 private:
  Qwen2AudioConfig config_;
};
TORCH_MODULE(Qwen2AudioModel);

// Reads config.json and the weights (model.safetensors, or the shards listed in
// model.safetensors.index.json) of a Hugging Face Qwen2-Audio folder; float32, eval, exact keys.
Qwen2AudioModel load_qwen2_audio(const std::filesystem::path& folder);
// The audio tower alone, from a folder whose weights hold audio_tower.* (other keys are ignored).
WhisperEncoder load_qwen2_audio_tower(const std::filesystem::path& folder);

}  // namespace auhead::audio2au::alm
