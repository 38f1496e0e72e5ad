#include "audio2au/alm/qwen2_audio_config.h"

#include <nlohmann/json.hpp>

#include "auhead/error.h"
#include "core/json_text.h"

namespace auhead::audio2au::alm {

namespace {

template <class T>
void take(const nlohmann::json& j, const char* key, T& field) {
  if (j.contains(key) && !j.at(key).is_null()) field = j.at(key).get<T>();
}

}  // namespace

Qwen2AudioConfig Qwen2AudioConfig::from_json_file(const std::filesystem::path& file) {
  const std::string src = file.string();
  const nlohmann::json j = read_json_object_file(file);
  Qwen2AudioConfig c;
  constexpr int64_t kMaxWidth = 1 << 16, kMaxLayers = 1024, kMaxHeads = 1024, kMaxPositions = 1 << 24;
  try {
    if (j.contains("audio_config")) {
      const auto& a = j.at("audio_config");
      const std::string p = "audio_config.";
      c.audio.num_mel_bins = config_int(a, "num_mel_bins", c.audio.num_mel_bins, 1, 1024, src, p);
      c.audio.d_model = config_int(a, "d_model", c.audio.d_model, 1, kMaxWidth, src, p);
      c.audio.encoder_layers = config_int(a, "encoder_layers", c.audio.encoder_layers, 1, kMaxLayers, src, p);
      c.audio.encoder_attention_heads =
          config_int(a, "encoder_attention_heads", c.audio.encoder_attention_heads, 1, kMaxHeads, src, p);
      c.audio.encoder_ffn_dim = config_int(a, "encoder_ffn_dim", c.audio.encoder_ffn_dim, 1, 4 * kMaxWidth, src, p);
      c.audio.max_source_positions =
          config_int(a, "max_source_positions", c.audio.max_source_positions, 1, kMaxPositions, src, p);
      take(a, "scale_embedding", c.audio.scale_embedding);
      const std::string act = a.value("activation_function", std::string("gelu"));
      if (act != "gelu") throw input_error(src, "audio_config.activation_function '" + act + "' is not supported (gelu)");
    }
    if (j.contains("text_config")) {
      Qwen2DecoderConfig t;
      const auto& x = j.at("text_config");
      const std::string p = "text_config.";
      t.vocab_size = config_int(x, "vocab_size", t.vocab_size, 1, kMaxPositions, src, p);
      t.hidden_size = config_int(x, "hidden_size", t.hidden_size, 1, kMaxWidth, src, p);
      t.intermediate_size = config_int(x, "intermediate_size", t.intermediate_size, 1, 4 * kMaxWidth, src, p);
      t.num_hidden_layers = config_int(x, "num_hidden_layers", t.num_hidden_layers, 1, kMaxLayers, src, p);
      t.num_attention_heads = config_int(x, "num_attention_heads", t.num_attention_heads, 1, kMaxHeads, src, p);
      t.num_key_value_heads = config_int(x, "num_key_value_heads", t.num_attention_heads, 1, kMaxHeads, src, p);
      t.rope_theta = config_number(x, "rope_theta", t.rope_theta, 1e-3, 1e12, src, p);
      t.rms_norm_eps = config_number(x, "rms_norm_eps", t.rms_norm_eps, 0, 1, src, p);
      t.max_position_embeddings =
          config_int(x, "max_position_embeddings", t.max_position_embeddings, 1, kMaxPositions, src, p);
      take(x, "tie_word_embeddings", t.tie_word_embeddings);
      const std::string act = x.value("hidden_act", std::string("silu"));
      if (act != "silu") throw input_error(src, "text_config.hidden_act '" + act + "' is not supported (silu)");
      if (t.hidden_size % t.num_attention_heads != 0 || t.num_attention_heads % t.num_key_value_heads != 0 ||
          t.head_dim() % 2 != 0)
        throw input_error(src, "text_config: hidden_size, num_attention_heads and num_key_value_heads do not divide");
      c.text = t;
    }
    // The token that marks where the audio features go must be one of the text model's vocabulary.
    c.audio_token_index = config_int(j, "audio_token_index", c.audio_token_index, 0,
                                     (c.text ? c.text->vocab_size : kMaxPositions) - 1, src);
  } catch (const nlohmann::json::exception& e) {
    throw input_error(src, std::string("bad config: ") + e.what());
  }
  const auto& a = c.audio;
  if (a.d_model % a.encoder_attention_heads != 0)
    throw input_error(src, "audio_config: d_model is not a multiple of encoder_attention_heads");
  return c;
}

}  // namespace auhead::audio2au::alm
