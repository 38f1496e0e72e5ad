#include "serve/request_options.h"

#include <cmath>
#include <set>

#include <nlohmann/json.hpp>

#include "auhead/error.h"

namespace auhead::serve {

namespace {

using nlohmann::json;

void only_keys(const json& j, const std::set<std::string>& allowed, const std::string& what) {
  if (!j.is_object()) throw usage_error(what + " must be a JSON object");
  for (const auto& [key, value] : j.items())
    if (!allowed.count(key)) throw usage_error(what + ": unknown option '" + key + "'");
}

double number(const json& j, const std::string& key, double lo, double hi) {
  const json& v = j.at(key);
  if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() < lo || v.get<double>() > hi)
    throw usage_error("options: " + key + " must be a number in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return v.get<double>();
}

int64_t integer(const json& j, const std::string& key, int64_t lo, int64_t hi) {
  const json& v = j.at(key);
  double d = v.is_number() ? v.get<double>() : NAN;
  if (!v.is_number() || d != std::floor(d) || d < double(lo) || d > double(hi))
    throw usage_error("options: " + key + " must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return v.is_number_unsigned() ? int64_t(v.get<uint64_t>()) : v.is_number_integer() ? v.get<int64_t>() : int64_t(d);
}

std::string text(const json& j, const std::string& key, std::initializer_list<const char*> choices = {}) {
  const json& v = j.at(key);
  if (!v.is_string()) throw usage_error("options: " + key + " must be a string");
  std::string s = v.get<std::string>();
  if (choices.size() == 0) return s;
  std::string list;
  for (const char* c : choices) {
    if (s == c) return s;
    list += list.empty() ? c : std::string(", ") + c;
  }
  throw usage_error("options: " + key + " must be one of " + list + ", not '" + s + "'");
}

bool boolean(const json& j, const std::string& key) {
  if (!j.at(key).is_boolean()) throw usage_error("options: " + key + " must be true or false");
  return j.at(key).get<bool>();
}

std::vector<AuOverride> overrides(const json& j, const std::string& key) {
  const json& v = j.at(key);
  if (!v.is_array() || v.size() > 256) throw usage_error("options: " + key + " must be a list of at most 256 AU edits");
  std::vector<AuOverride> out;
  for (const auto& e : v) {
    if (!e.is_string()) throw usage_error("options: " + key + " holds edits as strings (\"jaw_drop=0.6@1-2\")");
    out.push_back(parse_au_override(e.get<std::string>()));
  }
  return out;
}

std::filesystem::path model(const json& j, const std::string& key, const ModelNames& models) {
  const std::string name = text(j, key);
  auto it = models.find(name);
  if (it == models.end()) {
    std::string known;
    for (const auto& [n, dir] : models) known += (known.empty() ? "" : ", ") + n;
    throw Error(ExitCode::unavailable, "options: " + key + ": no model named '" + name + "' on this server" +
                                           (known.empty() ? "" : " (known: " + known + ")"));
  }
  return it->second;
}

std::optional<Emotion> emotion(const json& j, const std::string& key) {
  if (j.at(key).is_null()) return std::nullopt;
  return parse_emotion_or_throw(text(j, key));
}

}  // namespace

GenerateRequest parse_generate_options(const json& o, const ModelNames& models, bool stage1_only) {
  static const std::set<std::string> stage1 = {"emotion", "emotion_intensity", "emotion_scale", "set", "au_generator",
                                               "lipsync", "fps", "seed", "temperature", "top_k", "top_p", "au_model"};
  static const std::set<std::string> all = [] {
    std::set<std::string> s = stage1;
    for (const char* k : {"renderer", "size", "still", "keep_portrait_expression", "render_model", "model", "steps",
                          "sampler", "guidance_reference", "guidance_au", "device"})
      s.insert(k);
    return s;
  }();
  only_keys(o, stage1_only ? stage1 : all, "options");
  GenerateRequest r;
  auto has = [&](const char* k) { return o.contains(k); };
  if (has("emotion")) r.au.emotion = emotion(o, "emotion");
  if (has("emotion_intensity")) r.au.emotion_intensity = float(number(o, "emotion_intensity", 0, 1));
  if (has("emotion_scale")) r.au.edit.emotion_intensity_scale = float(number(o, "emotion_scale", 0, 10));
  if (has("set")) r.au.edit.overrides = overrides(o, "set");
  if (has("au_generator")) r.au_config.implementation = text(o, "au_generator", {"phonetic", "alm"});
  if (has("lipsync")) r.au_config.lipsync = text(o, "lipsync", {"accurate", "fast"});
  if (has("fps")) r.au.fps = number(o, "fps", 1, 120);
  if (has("seed")) r.au.seed = uint64_t(integer(o, "seed", 0, int64_t(1) << 53));
  if (has("temperature")) r.au_config.temperature = float(number(o, "temperature", 0, 100));
  if (has("top_k")) r.au_config.top_k = int(integer(o, "top_k", 0, 1 << 24));
  if (has("top_p")) r.au_config.top_p = float(number(o, "top_p", 0, 1));
  if (has("model")) r.au_config.model_dir = r.render_config.model_dir = model(o, "model", models);
  if (has("au_model")) r.au_config.model_dir = model(o, "au_model", models);
  if (has("renderer")) r.render_config.implementation = text(o, "renderer", {"warp", "diffusion"});
  if (has("size")) r.render_config.size = int(integer(o, "size", 64, 4096));
  if (has("still")) r.render.still = boolean(o, "still");
  if (has("keep_portrait_expression")) r.render.keep_portrait_expression = boolean(o, "keep_portrait_expression");
  if (has("render_model")) r.render_config.model_dir = model(o, "render_model", models);
  if (has("steps")) r.render_config.sampling.steps = int(integer(o, "steps", 1, 1000));
  if (has("sampler")) r.render_config.sampling.sampler = text(o, "sampler", {"ddim", "dpmsolver++"});
  if (has("guidance_reference")) r.render_config.sampling.guidance_reference = number(o, "guidance_reference", 0, 100);
  if (has("guidance_au")) r.render_config.sampling.guidance_au = number(o, "guidance_au", 0, 100);
  if (has("device")) r.render_config.sampling.device = text(o, "device", {"auto", "cpu", "cuda"});
  r.render.seed = r.au.seed;
  check_au_config(r.au_config);
  check_au_request(r.au);
  check_frame_size(r.render_config.size);
  check_sampling_options(r.render_config.sampling, r.render_config.implementation);
  if (r.au_config.implementation == "alm" && r.au_config.model_dir.empty())
    throw usage_error("options: au_generator alm needs au_model (or model)");
  if (r.render_config.implementation == "diffusion" && r.render_config.model_dir.empty())
    throw usage_error("options: renderer diffusion needs render_model (or model)");
  return r;
}

StreamStart parse_stream_start(const json& m) {
  only_keys(m, {"type", "sample_rate", "format", "emotion", "emotion_intensity", "size", "fps", "seed", "still",
                "keep_portrait_expression", "context_seconds", "lookahead_seconds", "emotion_ramp_seconds", "set"},
            "start message");
  StreamStart s;
  StreamConfig& c = s.config;
  if (m.contains("sample_rate")) c.sample_rate = int(integer(m, "sample_rate", 8000, 192000));
  if (m.contains("format")) s.float_samples = text(m, "format", {"s16le", "f32le"}) == "f32le";
  if (m.contains("emotion")) c.emotion = emotion(m, "emotion");
  if (m.contains("emotion_intensity")) c.emotion_intensity = float(number(m, "emotion_intensity", 0, 1));
  if (m.contains("size")) c.size = int(integer(m, "size", 64, 4096));
  if (m.contains("fps")) c.fps = number(m, "fps", 1, 120);
  if (m.contains("seed")) c.seed = uint64_t(integer(m, "seed", 0, int64_t(1) << 53));
  if (m.contains("still")) c.still = boolean(m, "still");
  if (m.contains("keep_portrait_expression")) c.keep_portrait_expression = boolean(m, "keep_portrait_expression");
  if (m.contains("context_seconds")) c.context_seconds = number(m, "context_seconds", 0.5, 10);
  if (m.contains("lookahead_seconds")) c.lookahead_seconds = number(m, "lookahead_seconds", 0.06, 1);
  if (m.contains("emotion_ramp_seconds")) c.emotion_ramp_seconds = number(m, "emotion_ramp_seconds", 0, 5);
  if (m.contains("set")) s.overrides = overrides(m, "set");
  check_frame_size(c.size);
  return s;
}

StreamSet parse_stream_set(const json& m) {
  only_keys(m, {"type", "emotion", "emotion_intensity", "set"}, "set message");
  StreamSet s;
  if (m.contains("emotion")) {
    s.emotion_given = true;
    s.emotion = emotion(m, "emotion");
  }
  if (m.contains("emotion_intensity")) s.intensity = float(number(m, "emotion_intensity", 0, 1));
  if (m.contains("set")) {
    s.overrides_given = true;
    s.overrides = overrides(m, "set");
  }
  return s;
}

}  // namespace auhead::serve
