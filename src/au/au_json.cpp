// AU sequence JSON (docs/design.md §4): {"au_set", "fps", "emotion": {"label", "intensity"}, "frames": [[...], ...]}.
// Numbers are written in their shortest round-trip form, one frame per line.
#include <cmath>
#include <nlohmann/json.hpp>

#include "au/number_format.h"
#include "auhead/au_sequence.h"
#include "auhead/error.h"
#include "core/json_text.h"

namespace auhead {

std::string au_to_json(const AuSequence& seq) {
  const int width = au_set_width(seq.au_set);
  std::string out = "{\"au_set\":\"" + std::string(au_set_name(seq.au_set)) + "\",\"fps\":" + format_number(seq.fps);
  if (seq.emotion)
    out += ",\"emotion\":{\"label\":\"" + std::string(emotion_name(seq.emotion->label)) +
           "\",\"intensity\":" + format_number(seq.emotion->intensity) + "}";
  out += ",\"frames\":[";
  for (size_t f = 0; f < seq.frames.size(); ++f) {
    out += f ? ",\n[" : "\n[";
    for (int a = 0; a < width; ++a) {
      if (a) out += ',';
      out += format_number(seq.frames[f][a]);
    }
    out += ']';
  }
  out += "\n]";
  if (!seq.head_pose.empty()) {
    out += ",\"head_pose\":[";
    for (size_t f = 0; f < seq.head_pose.size(); ++f) {
      out += f ? ",\n[" : "\n[";
      for (int c = 0; c < 3; ++c) out += (c ? "," : "") + format_number(seq.head_pose[f][c]);
      out += ']';
    }
    out += "\n]";
  }
  out += "}\n";
  return out;
}

AuSequence au_from_json(const std::string& text, const std::string& source) {
  nlohmann::json j = parse_json_text(text, source);
  if (!j.is_object()) throw input_error(source, "expected a JSON object with \"fps\" and \"frames\"");
  AuSequence seq;
  auto number = [&](const nlohmann::json& v, const std::string& what) -> double {
    if (!v.is_number()) throw input_error(source, what + " must be a number");
    return v.get<double>();
  };
  if (!j.contains("fps")) throw input_error(source, "missing \"fps\"");
  seq.fps = number(j["fps"], "\"fps\"");
  if (!j.contains("frames") || !j["frames"].is_array()) throw input_error(source, "missing \"frames\" array");
  const auto& frames = j["frames"];

  std::optional<AuSet> declared;
  if (j.contains("au_set")) {
    if (!j["au_set"].is_string() || !(declared = parse_au_set(j["au_set"].get<std::string>())))
      throw input_error(source, "\"au_set\" must be \"auhead30\" or \"feafa24\"");
  }
  // A file without "au_set" is read by its width (24 or 30).
  if (!declared && !frames.empty() && frames[0].is_array() && frames[0].size() == size_t(kNumFeafaAus))
    declared = AuSet::feafa24;
  seq.au_set = declared.value_or(AuSet::auhead30);
  const size_t width = size_t(au_set_width(seq.au_set));

  if (j.contains("emotion") && !j["emotion"].is_null()) {
    const auto& e = j["emotion"];
    EmotionState st;
    if (e.is_string()) {
      auto label = parse_emotion(e.get<std::string>());
      if (!label) throw input_error(source, "unknown emotion '" + e.get<std::string>() + "' (valid: " + emotion_list() + ")");
      st.label = *label;
      st.intensity = 1.f;
    } else if (e.is_object() && e.contains("label") && e["label"].is_string()) {
      auto label = parse_emotion(e["label"].get<std::string>());
      if (!label)
        throw input_error(source, "unknown emotion '" + e["label"].get<std::string>() + "' (valid: " + emotion_list() + ")");
      st.label = *label;
      st.intensity = e.contains("intensity") ? float(number(e["intensity"], "emotion intensity")) : 1.f;
    } else {
      throw input_error(source, "\"emotion\" must be {\"label\": ..., \"intensity\": ...}");
    }
    seq.emotion = st;
  }

  seq.frames.resize(frames.size(), AuFrame{});
  for (size_t f = 0; f < frames.size(); ++f) {
    const auto& row = frames[f];
    if (!row.is_array()) throw input_error(source, "frame " + std::to_string(f) + ": expected an array of numbers");
    if (row.size() != width)
      throw input_error(source, "frame " + std::to_string(f) + ": expected " + std::to_string(width) + " values (" +
                                    std::string(au_set_name(seq.au_set)) + "), got " + std::to_string(row.size()));
    for (size_t a = 0; a < width; ++a) {
      if (!row[a].is_number())
        throw input_error(source, "frame " + std::to_string(f) + ", AU " + std::to_string(a) + ": not a number");
      seq.frames[f][a] = float(row[a].get<double>());
    }
  }
  if (j.contains("head_pose") && !j["head_pose"].is_null()) {
    const auto& hp = j["head_pose"];
    if (!hp.is_array()) throw input_error(source, "\"head_pose\" must be an array of [yaw, pitch, roll]");
    for (size_t f = 0; f < hp.size(); ++f) {
      if (!hp[f].is_array() || hp[f].size() != 3)
        throw input_error(source, "head_pose " + std::to_string(f) + ": expected [yaw, pitch, roll]");
      std::array<float, 3> p{};
      for (int c = 0; c < 3; ++c) p[c] = float(number(hp[f][c], "head_pose " + std::to_string(f)));
      seq.head_pose.push_back(p);
    }
  }
  seq.validate(source);
  return seq;
}

}  // namespace auhead
