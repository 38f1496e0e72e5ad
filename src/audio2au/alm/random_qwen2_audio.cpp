#include "audio2au/alm/random_qwen2_audio.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "audio2au/alm/qwen2_audio_model.h"
#include "core/atomic_file.h"
#include "checkpoint/safetensors.h"

namespace auhead::audio2au::alm {

namespace fs = std::filesystem;

void write_random_qwen2_audio(const fs::path& folder, const std::string& config_json, uint64_t seed) {
  fs::create_directories(folder);
  write_text_file_atomic(folder / "config.json", config_json);
  const Qwen2AudioConfig config = Qwen2AudioConfig::from_json_file(folder / "config.json");
  torch::NoGradGuard no_grad;
  Qwen2AudioModel model(config);
  auto gen = at::detail::createCPUGenerator(seed);
  TensorMap weights;
  for (const auto& p : model->named_parameters()) {
    const bool norm = p.key().find("norm") != std::string::npos;
    torch::Tensor t = norm ? torch::ones_like(p.value()) : at::normal(0.0, 0.02, p.value().sizes(), gen);
    if (norm && p.key().ends_with(".bias")) t.zero_();
    if (config.text->tie_word_embeddings && p.key() == "language_model.lm_head.weight") continue;
    weights[p.key()] = t.contiguous();
  }
  for (const auto& b : model->named_buffers()) weights[b.key()] = b.value().contiguous();
  save_safetensors(folder / "model.safetensors", weights);
}

std::string qwen2_audio_config_json(int audio_width, int audio_layers, int text_width, int text_layers, int heads,
                                    int kv_heads, int ffn, bool tie_embeddings) {
  nlohmann::json j = {
      {"model_type", "qwen2_audio"},
      {"architectures", {"Qwen2AudioForConditionalGeneration"}},
      {"audio_token_index", 151646},
      {"audio_config",
       {{"model_type", "qwen2_audio_encoder"}, {"num_mel_bins", 128}, {"d_model", audio_width},
        {"encoder_layers", audio_layers}, {"encoder_attention_heads", audio_width % 64 == 0 ? audio_width / 64 : heads}, {"encoder_ffn_dim", 4 * audio_width},
        {"max_source_positions", 1500}, {"activation_function", "gelu"}}},
      {"text_config",
       {{"model_type", "qwen2"}, {"hidden_size", text_width}, {"num_attention_heads", heads},
        {"num_key_value_heads", kv_heads}, {"num_hidden_layers", text_layers}, {"intermediate_size", ffn},
        {"vocab_size", 151936}, {"rope_theta", 1000000.0}, {"rms_norm_eps", 1e-6}, {"hidden_act", "silu"},
        {"tie_word_embeddings", tie_embeddings}, {"max_position_embeddings", 32768}}}};
  return j.dump(1);
}

std::vector<float> test_speech_signal(double seconds) {
  std::vector<float> s(std::size_t(std::max(0.0, seconds) * 16000));
  double phase = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const double t = double(i) / 16000.0;
    phase += 2 * M_PI * (140 + 40 * std::sin(2 * M_PI * 0.7 * t)) / 16000.0;
    s[i] = float(0.3 * std::max(0.0, std::sin(2 * M_PI * 4 * t)) * std::sin(phase));
  }
  return s;
}

}  // namespace auhead::audio2au::alm
