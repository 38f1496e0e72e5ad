// `auhead eval --batch`: the manifest of videos read into evaluation options, and the reports of a
// batch aggregated per emotion.
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "auhead/error.h"
#include "core/atomic_file.h"
#include "core/json_text.h"
#include "eval/eval_report.h"

namespace fs = std::filesystem;

namespace auhead::eval {

std::vector<EvalOptions> read_manifest(const fs::path& manifest, const EvalOptions& defaults) {
  const std::string name = manifest.string();
  nlohmann::json j = parse_json_text(read_text_file(manifest), name);
  if (!j.is_object() || !j.contains("videos") || !j["videos"].is_array())
    throw input_error(name, "expected {\"videos\": [...]}");
  const fs::path base = manifest.parent_path();
  auto path = [&](const nlohmann::json& e, const char* key) -> fs::path {
    if (!e.contains(key)) return {};
    if (!e[key].is_string()) throw input_error(name, std::string("\"") + key + "\" must be a string");
    fs::path p = e[key].get<std::string>();
    return p.is_absolute() ? p : base / p;
  };
  std::vector<EvalOptions> out;
  int i = 0;
  for (const auto& e : j["videos"]) {
    if (!e.is_object()) throw input_error(name, "videos[" + std::to_string(i) + "] is not an object");
    EvalOptions o = defaults;
    o.video = path(e, "video");
    o.audio = path(e, "audio");
    o.portrait = path(e, "portrait");
    o.au_truth = path(e, "au_truth");
    o.au_pred = path(e, "au_pred");
    o.plots_dir.clear();
    if (e.contains("emotion")) {
      auto em = parse_emotion(e["emotion"].is_string() ? e["emotion"].get<std::string>() : "");
      if (!em) throw input_error(name, "videos[" + std::to_string(i) + "]: unknown emotion (" + emotion_list() + ")");
      o.emotion = em;
    }
    if (o.video.empty() && o.au_pred.empty())
      throw input_error(name, "videos[" + std::to_string(i) + "]: needs \"video\" (or \"au_pred\" with \"au_truth\")");
    out.push_back(o);
    ++i;
  }
  if (out.empty()) throw input_error(name, "no videos listed");
  return out;
}

BatchReport aggregate(std::vector<EvalReport> reports) {
  BatchReport b;
  b.reports = std::move(reports);
  for (const auto& r : b.reports) {
    if (!r.emotion || !r.emotion->available || !r.emotion->requested) continue;
    if (!emotion_to_expression(*r.emotion->requested)) continue;  // contempt: no class
    const Emotion pred = expression_to_emotion(r.emotion->predicted_class);
    b.confusion[int(*r.emotion->requested)][int(pred)]++;
    b.emotion_scored++;
    b.emotion_correct += r.emotion->correct;
  }
  return b;
}

}  // namespace auhead::eval
