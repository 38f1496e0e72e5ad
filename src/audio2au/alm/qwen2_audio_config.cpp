#include "audio2au/alm/qwen2_audio_config.h"

#include <nlohmann/json.hpp>

#include "auhead/error.h"
#include "core/json_text.h"

namespace auhead::alm {

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
  try {
    take(j, "audio_token_index", c.audio_token_index);
    if (j.contains("audio_config")) {
      const auto& a = j.at("audio_config");
      take(a, "num_mel_bins", c.audio.num_mel_bins);
      take(a, "d_model", c.audio.d_model);
      take(a, "encoder_layers", c.audio.encoder_layers);
      take(a, "encoder_attention_heads", c.audio.encoder_attention_heads);
      take(a, "encoder_ffn_dim", c.audio.encoder_ffn_dim);
      take(a, "max_source_positions", c.audio.max_source_positions);
      take(a, "scale_embedding", c.audio.scale_embedding);
      const std::string act = a.value("activation_function", std::string("gelu"));
      if (act != "gelu") throw input_error(src, "audio_config.activation_function '" + act + "' is not supported (gelu)");
    }
    if (j.contains("text_config")) {
      Qwen2DecoderConfig t;
      const auto& x = j.at("text_config");
      take(x, "vocab_size", t.vocab_size);
      take(x, "hidden_size", t.hidden_size);
      take(x, "intermediate_size", t.intermediate_size);
      take(x, "num_hidden_layers", t.num_hidden_layers);
      take(x, "num_attention_heads", t.num_attention_heads);
      t.num_key_value_heads = t.num_attention_heads;
      take(x, "num_key_value_heads", t.num_key_value_heads);
      take(x, "rope_theta", t.rope_theta);
      take(x, "rms_norm_eps", t.rms_norm_eps);
      take(x, "max_position_embeddings", t.max_position_embeddings);
      take(x, "tie_word_embeddings", t.tie_word_embeddings);
      const std::string act = x.value("hidden_act", std::string("silu"));
      if (act != "silu") throw input_error(src, "text_config.hidden_act '" + act + "' is not supported (silu)");
      if (t.num_attention_heads <= 0 || t.hidden_size % t.num_attention_heads != 0 || t.num_key_value_heads <= 0 ||
          t.num_attention_heads % t.num_key_value_heads != 0 || t.head_dim() % 2 != 0)
        throw input_error(src, "text_config: hidden_size, num_attention_heads and num_key_value_heads do not divide");
      c.text = t;
    }
  } catch (const nlohmann::json::exception& e) {
    throw input_error(src, std::string("bad config: ") + e.what());
  }
  const auto& a = c.audio;
  if (a.encoder_attention_heads <= 0 || a.d_model % a.encoder_attention_heads != 0)
    throw input_error(src, "audio_config: d_model is not a multiple of encoder_attention_heads");
  return c;
}

}  // namespace auhead::alm
