// AU edits: overrides with ramps and the emotion-intensity scale (include/auhead/au_edit.h).
#include <algorithm>
#include <cmath>
#include <mutex>
#include <nlohmann/json.hpp>

#include "au/number_format.h"
#include "auhead/au_edit.h"
#include "auhead/error.h"
#include "core/atomic_file.h"
#include "core/data_path.h"
#include "core/json_text.h"

namespace auhead {

namespace {

void check_override(const AuOverride& o, const std::string& where) {
  auto bad = [&](const std::string& problem) { return usage_error(where + ": " + problem); };
  if (!std::isfinite(o.value)) throw bad("value must be a number");
  if (o.mode == AuOverride::Mode::set && !(o.value >= 0.f && o.value <= 1.f)) throw bad("value must be in [0, 1]");
  if (o.mode == AuOverride::Mode::scale && !(o.value >= 0.f)) throw bad("scale must be >= 0");
  if (o.mode == AuOverride::Mode::add && !(o.value >= -1.f && o.value <= 1.f)) throw bad("added value must be in [-1, 1]");
  if (!(o.start >= 0.0) || std::isnan(o.end) || !(o.end >= o.start)) throw bad("time range must satisfy 0 <= start <= end");
  if (!(o.ramp_in >= 0.0 && o.ramp_out >= 0.0 && std::isfinite(o.ramp_in) && std::isfinite(o.ramp_out)))
    throw bad("ramp must be a number of seconds >= 0");
}

double smoothstep(double x) {
  x = std::clamp(x, 0.0, 1.0);
  return x * x * (3.0 - 2.0 * x);
}

// How much of the override applies at time t (0..1).
double override_weight(const AuOverride& o, double t) {
  if (t >= o.start && t <= o.end) return 1.0;
  if (t < o.start) return o.ramp_in > 0 ? smoothstep((t - (o.start - o.ramp_in)) / o.ramp_in) : 0.0;
  return o.ramp_out > 0 ? smoothstep(1.0 - (t - o.end) / o.ramp_out) : 0.0;
}

}  // namespace

AuOverride parse_au_override(std::string_view spec) {
  const std::string where = "--set '" + std::string(spec) + "'";
  auto bad = [&](const std::string& problem) {
    return usage_error(where + ": " + problem + " (expected AU=VALUE[@START-END][~RAMP], e.g. jaw_drop=0.6@1.2-2.0~0.25)");
  };
  AuOverride o;
  size_t eq = spec.find('=');
  if (eq == std::string_view::npos || eq == 0) throw bad("no '='");
  std::string_view name = spec.substr(0, eq);
  if (name.back() == '+') o.mode = AuOverride::Mode::add, name.remove_suffix(1);
  else if (name.back() == '*') o.mode = AuOverride::Mode::scale, name.remove_suffix(1);
  auto au = find_au(name);
  if (!au) throw usage_error(where + ": unknown AU '" + std::string(name) + "' (use a name such as jaw_drop, or an index 0-29; `auhead au-list` shows them)");
  o.au = *au;

  std::string_view rest = spec.substr(eq + 1);
  std::string_view value = rest, range, ramp;
  if (size_t tilde = rest.find('~'); tilde != std::string_view::npos) {
    ramp = rest.substr(tilde + 1);
    rest = rest.substr(0, tilde);
    value = rest;
  }
  if (size_t at = rest.find('@'); at != std::string_view::npos) {
    value = rest.substr(0, at);
    range = rest.substr(at + 1);
  }
  auto v = parse_number<float>(value);
  if (!v) throw bad("value '" + std::string(value) + "' is not a number");
  o.value = *v;
  if (!range.empty()) {
    size_t dash = range.find('-');
    if (dash == std::string_view::npos) throw bad("time range needs START-END");
    std::string_view s = range.substr(0, dash), e = range.substr(dash + 1);
    if (!s.empty()) {
      auto start = parse_number<double>(s);
      if (!start) throw bad("start '" + std::string(s) + "' is not a number of seconds");
      o.start = *start;
    }
    if (!e.empty()) {
      auto end = parse_number<double>(e);
      if (!end) throw bad("end '" + std::string(e) + "' is not a number of seconds");
      o.end = *end;
    }
  }
  if (!ramp.empty()) {
    auto r = parse_number<double>(ramp);
    if (!r) throw bad("ramp '" + std::string(ramp) + "' is not a number of seconds");
    o.ramp_in = o.ramp_out = *r;
  }
  check_override(o, where);
  return o;
}

AuEdit read_edit_file(const std::filesystem::path& file) {
  const std::string source = file.string();
  nlohmann::json j = parse_json_text(read_text_file(file), source);
  if (!j.is_object()) throw input_error(source, "expected a JSON object");
  AuEdit edit;
  auto number = [&](const nlohmann::json& v, const std::string& what) -> double {
    if (!v.is_number()) throw input_error(source, what + " must be a number");
    return v.get<double>();
  };
  for (auto& [key, value] : j.items()) {
    if (key == "emotion_intensity_scale") {
      double s = number(value, "emotion_intensity_scale");
      if (!(s >= 0)) throw input_error(source, "emotion_intensity_scale must be >= 0");
      edit.emotion_intensity_scale = float(s);
    } else if (key == "overrides") {
      if (!value.is_array()) throw input_error(source, "\"overrides\" must be an array");
      for (size_t i = 0; i < value.size(); ++i) {
        const auto& item = value[i];
        const std::string where = "override " + std::to_string(i);
        if (!item.is_object()) throw input_error(source, where + ": expected an object");
        AuOverride o;
        if (!item.contains("au")) throw input_error(source, where + ": missing \"au\"");
        std::string name = item["au"].is_number_integer() ? std::to_string(item["au"].get<int>())
                           : item["au"].is_string()       ? item["au"].get<std::string>()
                                                          : std::string("?");
        auto au = find_au(name);
        if (!au) throw input_error(source, where + ": unknown AU '" + name + "'");
        o.au = *au;
        if (!item.contains("value")) throw input_error(source, where + ": missing \"value\"");
        o.value = float(number(item["value"], where + " value"));
        if (item.contains("mode")) {
          std::string mode = item["mode"].is_string() ? item["mode"].get<std::string>() : "";
          if (mode == "set") o.mode = AuOverride::Mode::set;
          else if (mode == "add") o.mode = AuOverride::Mode::add;
          else if (mode == "scale") o.mode = AuOverride::Mode::scale;
          else throw input_error(source, where + ": mode must be \"set\", \"add\" or \"scale\"");
        }
        if (item.contains("start")) o.start = number(item["start"], where + " start");
        if (item.contains("end") && !item["end"].is_null()) o.end = number(item["end"], where + " end");
        if (item.contains("ramp")) o.ramp_in = o.ramp_out = number(item["ramp"], where + " ramp");
        if (item.contains("ramp_in")) o.ramp_in = number(item["ramp_in"], where + " ramp_in");
        if (item.contains("ramp_out")) o.ramp_out = number(item["ramp_out"], where + " ramp_out");
        try {
          check_override(o, where);
        } catch (const Error& e) {
          throw input_error(source, e.what());
        }
        edit.overrides.push_back(o);
      }
    } else {
      throw input_error(source, "unknown key \"" + key + "\" (expected emotion_intensity_scale, overrides)");
    }
  }
  return edit;
}

const AuFrame& emotion_prototype(Emotion e) {
  static std::array<AuFrame, kNumEmotions> table;
  static std::once_flag once;
  std::call_once(once, [] {
    auto path = data_file("emotion_prototypes.json");
    nlohmann::json j = parse_json_text(read_text_file(path), path.string());
    for (int i = 0; i < kNumEmotions; ++i) {
      auto name = std::string(emotion_name(Emotion(i)));
      if (!j.contains(name)) throw input_error(path.string(), "no prototype for '" + name + "'");
      table[i] = AuFrame{};
      for (auto& [au_name, value] : j[name].items()) {
        auto au = find_au(au_name);
        if (!au || !value.is_number() || value.get<double>() < 0 || value.get<double>() > 1)
          throw input_error(path.string(), name + ": bad entry '" + au_name + "'");
        table[i][*au] = value.get<float>();
      }
    }
  });
  return table[int(e)];
}

void apply_edit(AuSequence& seq, const AuEdit& edit) {
  if (edit.emotion_intensity_scale && *edit.emotion_intensity_scale != 1.f) {
    if (!seq.emotion)
      throw usage_error("the emotion-intensity scale needs an AU sequence with an emotion label; this one has none");
    const float s = *edit.emotion_intensity_scale;
    const float intensity = seq.emotion->intensity;
    const AuFrame& proto = emotion_prototype(seq.emotion->label);
    // The emotion contributes intensity · prototype; scaling moves each AU by the difference.
    for (auto& frame : seq.frames)
      for (int a = 0; a < kNumAus; ++a)
        if (proto[a] > 0) frame[a] = std::clamp(frame[a] + (s - 1.f) * intensity * proto[a], 0.f, 1.f);
    seq.emotion->intensity = std::clamp(intensity * s, 0.f, 1.f);
  }
  for (const auto& o : edit.overrides) {
    if (o.au >= au_set_width(seq.au_set)) seq.au_set = AuSet::auhead30;  // editing a channel beyond FEAFA-24
    for (size_t f = 0; f < seq.frames.size(); ++f) {
      double w = override_weight(o, double(f) / seq.fps);
      if (w <= 0) continue;
      float& v = seq.frames[f][o.au];
      float target = o.mode == AuOverride::Mode::set ? o.value
                     : o.mode == AuOverride::Mode::add ? v + o.value
                                                       : v * o.value;
      v = std::clamp(float(v + w * (target - v)), 0.f, 1.f);
    }
  }
}

}  // namespace auhead
