#include "audio2au/alm/alm_parity.h"

#include <torch/torch.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "audio2au/alm/bpe_tokenizer.h"
#include "audio2au/alm/qwen2_audio_model.h"
#include "audio2au/alm/whisper_logmel.h"
#include "auhead/error.h"
#include "core/parity_compare.h"
#include "checkpoint/safetensors.h"

namespace auhead::audio2au::alm {

namespace fs = std::filesystem;

namespace {

void require(const fs::path& p, const std::string& what) {
  if (!fs::exists(p)) throw input_error(p.string(), "no such file (" + what + ")");
}

void emit_logmel(const fs::path& file, const ParityEmit& emit) {
  SafetensorsFile io(file);
  const std::string suffix = "_audio";
  bool any = false;
  torch::InferenceMode guard;
  for (const auto& key : io.names()) {
    if (key.size() <= suffix.size() || key.compare(key.size() - suffix.size(), suffix.size(), suffix) != 0) continue;
    const std::string name = key.substr(0, key.size() - suffix.size());
    torch::Tensor audio = io.get(key, true);
    for (int mels : {128, 80}) {
      const std::string ref_key = name + "_logmel" + std::to_string(mels);
      if (!io.contains(ref_key)) continue;
      any = true;
      torch::Tensor ref = io.get(ref_key, true);
      torch::Tensor ours = whisper_log_mel(audio, mels);
      const int64_t t = ref.size(-1);
      if (t > ours.size(1)) throw input_error(file.string(), ref_key + ": more frames than a 30-s window");
      ParityResult r = compare_tensors("whisper_logmel:" + ref_key, ours.narrow(1, 0, t), ref);
      r.tolerance = 1e-4;  // absolute, as the fixture asks
      r.pass = r.note.empty() && r.max_error <= r.tolerance;
      emit(r);
    }
  }
  if (!any) throw input_error(file.string(), "no NAME_audio with NAME_logmel128/NAME_logmel80 pairs");
}


// A folder laid out like qwen2_audio_tower/ or qwen2_audio_tiny/: config.json (model_type
// qwen2_audio), model.safetensors, io.safetensors.
bool is_qwen2_audio_fixture(const fs::path& d) {
  if (!fs::exists(d / "config.json") || !fs::exists(d / "io.safetensors")) return false;
  std::ifstream in(d / "config.json");
  try {
    return nlohmann::json::parse(in).value("model_type", std::string()) == "qwen2_audio";
  } catch (const nlohmann::json::exception&) {
    return false;
  }
}

std::vector<fs::path> qwen2_audio_fixtures(const fs::path& d) {
  std::vector<fs::path> out;
  if (is_qwen2_audio_fixture(d)) out.push_back(d);
  for (const char* sub : {"qwen2_audio_tower", "qwen2_audio_tiny"})
    if (is_qwen2_audio_fixture(d / sub)) out.push_back(d / sub);
  return out;
}

void run_qwen2_audio_fixture(const fs::path& dir, const ParityEmit& emit) {
  const std::string tag = (dir.filename().empty() ? dir.parent_path().filename() : dir.filename()).string() + ":";
  require(dir / "model.safetensors", "the fixture's weights");
  SafetensorsFile io(dir / "io.safetensors");
  const auto need = [&](const std::string& name) { return io.get(name, true); };
  const Qwen2AudioConfig config = Qwen2AudioConfig::from_json_file(dir / "config.json");
  torch::InferenceMode guard;
  const torch::Tensor features = need("input_features");
  if (!config.text) {
    WhisperEncoder tower = load_qwen2_audio_tower(dir);
    WhisperEncoderOutput out = tower->forward_all(features);
    if (io.contains("encoder_layers_out")) emit(compare_tensors(tag + "encoder_layers_out", out.layers_out, need("encoder_layers_out")));
    emit(compare_tensors(tag + "audio_tower_out", out.pooled, need("audio_tower_out")));
    return;
  }
  Qwen2AudioModel model = load_qwen2_audio(dir);
  WhisperEncoderOutput enc = model->audio_tower->forward_all(features);
  if (io.contains("encoder_layers_out")) emit(compare_tensors(tag + "encoder_layers_out", enc.layers_out, need("encoder_layers_out")));
  if (io.contains("audio_tower_out")) emit(compare_tensors(tag + "audio_tower_out", enc.pooled, need("audio_tower_out")));
  const torch::Tensor audio_embeds = model->multi_modal_projector(enc.pooled);
  if (io.contains("audio_embeds")) emit(compare_tensors(tag + "audio_embeds", audio_embeds, need("audio_embeds")));
  if (io.contains("input_ids")) {
    const torch::Tensor ids = need("input_ids");
    if (io.contains("logits")) emit(compare_tensors(tag + "logits", model->forward(model->embed(ids, audio_embeds)), need("logits")));
    if (io.contains("greedy_next_ids")) {
      const torch::Tensor ref = need("greedy_next_ids");
      std::vector<int64_t> ours = model->generate_greedy(ids, audio_embeds, ref.numel());
      emit(compare_exact(tag + "greedy_next_ids", torch::tensor(ours).view(ref.sizes()), ref));
    }
  }
  if (io.contains("text_only_ids") && io.contains("text_only_logits"))
    emit(compare_tensors(tag + "text_only_logits", model->forward(model->embed(need("text_only_ids"))),
                         need("text_only_logits")));
}

}  // namespace

std::vector<ParityHandler> parity_handlers() {
  return {{"whisper_logmel",
           {"whisper_logmel.safetensors"},
           [](const fs::path& d) { return fs::exists(d / "whisper_logmel.safetensors"); },
           [](const fs::path& d, const ParityEmit& emit) { emit_logmel(d / "whisper_logmel.safetensors", emit); }},
          {"qwen2_audio",
           {"qwen2_audio_tower", "qwen2_audio_tiny"},
           [](const fs::path& d) { return !qwen2_audio_fixtures(d).empty(); },
           [](const fs::path& d, const ParityEmit& emit) {
             for (const auto& f : qwen2_audio_fixtures(d)) run_qwen2_audio_fixture(f, emit);
           }}};
}

}  // namespace auhead::audio2au::alm

// The public checks of auhead/parity.h.
namespace auhead {

namespace fs = std::filesystem;
using audio2au::alm::BpeTokenizer;
using audio2au::alm::emit_logmel;
using audio2au::alm::require;

ParityReport run_logmel_parity(const fs::path& file, const ParityEmit& on_result) {
  require(file, "the log-mel fixture");
  ParityReport report;
  emit_logmel(file, [&](const ParityResult& r) {
    report.results.push_back(r);
    if (on_result) on_result(r);
  });
  return report;
}

TokenizerParityReport run_tokenizer_parity(const fs::path& tokenizer_file, const fs::path& ids_file,
                                           const std::function<void(const std::string&)>& on_mismatch) {
  require(tokenizer_file, "the tokenizer");
  require(ids_file, "the recorded ids");
  const BpeTokenizer tok = BpeTokenizer::from_tokenizer_json(tokenizer_file);
  std::ifstream in(ids_file);
  if (!in) throw input_error(ids_file.string(), "cannot open");
  TokenizerParityReport report;
  std::string line;
  std::size_t line_no = 0;
  const auto show = [](const std::vector<int64_t>& v) {
    std::string s = "[";
    for (std::size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
    return s + "]";
  };
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    std::string text;
    std::vector<int64_t> expected;
    try {
      const nlohmann::json j = nlohmann::json::parse(line);
      text = j.at("text").get<std::string>();
      expected = j.at("ids").get<std::vector<int64_t>>();
    } catch (const nlohmann::json::exception& e) {
      throw input_error(ids_file.string() + ":" + std::to_string(line_no), std::string("bad JSON line: ") + e.what());
    }
    ++report.lines;
    const std::vector<int64_t> ours = tok.encode(text);
    if (ours != expected) {
      ++report.mismatches;
      if (on_mismatch) {
        const std::string shown = nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        on_mismatch("line " + std::to_string(line_no) + " " + shown.substr(0, 80) + ": ours " + show(ours) +
                    " recorded " + show(expected));
      }
    }
  }
  return report;
}

}  // namespace auhead
