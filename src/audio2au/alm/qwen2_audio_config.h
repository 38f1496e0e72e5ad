// Sizes of a Qwen2-Audio model from its Hugging Face config.json (audio_config, text_config,
// audio_token_index), with Hugging Face's defaults for fields a checkpoint leaves out.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace auhead::audio2au::alm {

struct WhisperEncoderConfig {
  int64_t num_mel_bins = 128;
  int64_t d_model = 1280;
  int64_t encoder_layers = 32;
  int64_t encoder_attention_heads = 20;
  int64_t encoder_ffn_dim = 5120;
  int64_t max_source_positions = 1500;
  bool scale_embedding = false;  // Qwen2-Audio does not scale; kept for completeness
};

struct Qwen2DecoderConfig {
  int64_t vocab_size = 151936;
  int64_t hidden_size = 4096;
  int64_t intermediate_size = 11008;
  int64_t num_hidden_layers = 32;
  int64_t num_attention_heads = 32;
  int64_t num_key_value_heads = 32;
  double rope_theta = 10000.0;
  double rms_norm_eps = 1e-6;
  int64_t max_position_embeddings = 8192;
  bool tie_word_embeddings = false;
  int64_t head_dim() const { return hidden_size / num_attention_heads; }
};

struct Qwen2AudioConfig {
  WhisperEncoderConfig audio;
  std::optional<Qwen2DecoderConfig> text;  // absent in an audio-tower-only folder
  int64_t audio_token_index = 151646;

  // Reads config.json; bad JSON, unsupported activations or inconsistent sizes are input errors
  // naming the file.
  static Qwen2AudioConfig from_json_file(const std::filesystem::path& file);
};

}  // namespace auhead::audio2au::alm
