#include "audio2au/alm/qwen2_audio_model.h"

#include <torch/torch.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "auhead/error.h"
#include "core/json_text.h"
#include "checkpoint/safetensors.h"
#include "checkpoint/state_dict.h"

namespace auhead::audio2au::alm {

namespace fs = std::filesystem;

Qwen2AudioModelImpl::Qwen2AudioModelImpl(const Qwen2AudioConfig& c) : config_(c) {
  if (!c.text) throw usage_error("Qwen2-Audio model: the config has no text_config");
  audio_tower = register_module("audio_tower", WhisperEncoder(c.audio));
  multi_modal_projector = register_module("multi_modal_projector", AudioProjector(c.audio.d_model, c.text->hidden_size));
  language_model = register_module("language_model", Qwen2Decoder(*c.text));
}

torch::Tensor Qwen2AudioModelImpl::encode_audio(const torch::Tensor& features, std::optional<int64_t> valid_mel_frames) {
  if (!valid_mel_frames) return multi_modal_projector(audio_tower(features));
  if (features.size(0) != 1) throw usage_error("Qwen2-Audio: a valid frame count needs a batch of one");
  torch::Tensor pooled = audio_tower->forward_all(features, {*valid_mel_frames}).pooled;
  const int64_t n = std::min(qwen2_audio_output_length(*valid_mel_frames), pooled.size(1));
  return multi_modal_projector(pooled.narrow(1, 0, n));
}

torch::Tensor Qwen2AudioModelImpl::embed(const torch::Tensor& ids, const torch::Tensor& audio_embeds) {
  if (ids.dim() != 2) throw usage_error("Qwen2-Audio: input ids must be (B, T)");
  torch::Tensor e = language_model->embed(ids);
  torch::Tensor mask = ids == config_.audio_token_index;
  const int64_t slots = mask.sum().item<int64_t>();
  const int64_t rows = audio_embeds.defined() ? audio_embeds.numel() / audio_embeds.size(-1) : 0;
  if (slots != rows)
    throw usage_error("Qwen2-Audio: the prompt has " + std::to_string(slots) + " audio tokens but the audio gives " +
                      std::to_string(rows) + " embeddings");
  if (slots == 0) return e;
  e = e.clone();
  e.index_put_({mask}, audio_embeds.reshape({rows, audio_embeds.size(-1)}).to(e.scalar_type()));
  return e;
}

std::vector<int64_t> Qwen2AudioModelImpl::generate_greedy(const torch::Tensor& input_ids,
                                                          const torch::Tensor& audio_embeds, int64_t max_new_tokens,
                                                          const std::vector<int64_t>& stop_ids, bool use_cache) {
  torch::InferenceMode guard;
  std::vector<int64_t> out;
  torch::Tensor embeds = embed(input_ids, audio_embeds);
  KvCache cache;
  torch::Tensor logits = forward(embeds, use_cache ? &cache : nullptr, true);
  for (int64_t step = 0; step < max_new_tokens; ++step) {
    const int64_t next = logits.select(1, logits.size(1) - 1).argmax(-1).item<int64_t>();
    out.push_back(next);
    if (std::find(stop_ids.begin(), stop_ids.end(), next) != stop_ids.end()) break;
    if (step + 1 == max_new_tokens) break;
    torch::Tensor next_embed = language_model->embed(torch::full({1, 1}, next, torch::kLong));
    if (use_cache) {
      logits = forward(next_embed, &cache, true);
    } else {
      embeds = torch::cat({embeds, next_embed}, 1);
      logits = forward(embeds, nullptr, true);
    }
  }
  return out;
}

namespace {

// The safetensors files of a folder: model.safetensors, or the shards of the index.
std::vector<fs::path> weight_files(const fs::path& folder) {
  if (fs::exists(folder / "model.safetensors")) return {folder / "model.safetensors"};
  const fs::path index = folder / "model.safetensors.index.json";
  if (!fs::exists(index)) throw input_error((folder / "model.safetensors").string(), "no such file (the model weights)");
  const nlohmann::json j = read_json_object_file(index);
  std::set<std::string> names;
  try {
    for (const auto& [key, file] : j.at("weight_map").items()) names.insert(file.get<std::string>());
  } catch (const nlohmann::json::exception& e) {
    throw input_error(index.string(), std::string("bad index: ") + e.what());
  }
  std::vector<fs::path> files;
  for (const auto& n : names) files.push_back(folder / n);
  return files;
}

TensorMap read_weights(const fs::path& folder) {
  TensorMap all;
  for (const auto& f : weight_files(folder)) {
    TensorMap part = load_safetensors(f);
    all.insert(part.begin(), part.end());
  }
  return all;
}

}  // namespace

Qwen2AudioModel load_qwen2_audio(const fs::path& folder) {
  const Qwen2AudioConfig config = Qwen2AudioConfig::from_json_file(folder / "config.json");
  if (!config.text) throw input_error((folder / "config.json").string(), "no text_config (an audio tower only?)");
  Qwen2AudioModel model(config);
  StateDictOptions options;
  if (config.text->tie_word_embeddings) options.allow_missing_prefixes.push_back("language_model.lm_head");
  const TensorMap weights = read_weights(folder);
  load_state_dict(*model, weights, folder.string(), options);
  if (config.text->tie_word_embeddings) model->language_model->tie_weights();
  const auto stored = weights.find("language_model.model.embed_tokens.weight");
  if (stored != weights.end() && (stored->second.scalar_type() == torch::kHalf || stored->second.scalar_type() == torch::kBFloat16))
    model->language_model->set_rope_dtype(stored->second.scalar_type());
  model->eval();
  return model;
}

WhisperEncoder load_qwen2_audio_tower(const fs::path& folder) {
  const Qwen2AudioConfig config = Qwen2AudioConfig::from_json_file(folder / "config.json");
  const std::string prefix = "audio_tower.";
  TensorMap tower;
  for (auto& [key, t] : read_weights(folder))
    if (key.rfind(prefix, 0) == 0) tower[key.substr(prefix.size())] = t;
  WhisperEncoder encoder(config.audio);
  load_state_dict(*encoder, tower, folder.string() + " (audio_tower.*)");
  encoder->eval();
  return encoder;
}

}  // namespace auhead::audio2au::alm
