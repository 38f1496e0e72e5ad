#include "audio2au/phonetic/phonetic_params.h"

#include <mutex>
#include <nlohmann/json.hpp>

#include "auhead/error.h"
#include "core/json_text.h"
#include "core/atomic_file.h"
#include "core/data_path.h"

namespace auhead::audio2au::phonetic {

namespace {
class Reader {
 public:
  Reader(const nlohmann::json& root, std::string file) : root_(root), file_(std::move(file)) {}
  template <typename T>
  void get(const char* section, const char* key, T& out) const {
    if (!root_.contains(section) || !root_[section].contains(key)) return;
    const auto& v = root_[section][key];
    if (!v.is_number()) throw input_error(file_, std::string(section) + "." + key + " is not a number");
    out = v.get<T>();
  }

 private:
  const nlohmann::json& root_;
  std::string file_;
};

PhoneticParams load() {
  auto path = data_file("phonetic.json");
  nlohmann::json j = read_json_object_file(path);
  Reader r(j, path.string());
  PhoneticParams p;
  auto& f = p.fast;
  r.get("fast", "gate_above_floor", f.gate_above_floor);
  r.get("fast", "gate_below_peak", f.gate_below_peak);
  r.get("fast", "absolute_gate", f.absolute_gate);
  r.get("fast", "peak_decay", f.peak_decay);
  r.get("fast", "floor_window", f.floor_window);
  r.get("fast", "floor_start", f.floor_start);
  r.get("fast", "voicing", f.voicing);
  r.get("fast", "nasal_low_band", f.nasal_low_band);
  r.get("fast", "nasal_max_loudness", f.nasal_max_loudness);
  r.get("fast", "murmur_f1_max", f.murmur_f1_max);
  r.get("fast", "labial_f2_max", f.labial_f2_max);
  r.get("fast", "fricative_zcr", f.fricative_zcr);
  r.get("fast", "f1_closed", f.f1_closed);
  r.get("fast", "f1_open", f.f1_open);
  r.get("fast", "jaw_closed", f.jaw_closed);
  r.get("fast", "jaw_open", f.jaw_open);
  r.get("fast", "closure_min", f.closure_min);
  r.get("fast", "closure_max", f.closure_max);
  r.get("fast", "f2_weight", f.f2_weight);
  r.get("fast", "mode_filter", f.mode_filter);
  r.get("fast", "min_segment", f.min_segment);
  r.get("fast", "lookahead", f.lookahead);
  auto& a = p.accurate;
  r.get("accurate", "beam", a.beam);
  r.get("accurate", "pbeam", a.pbeam);
  r.get("accurate", "wbeam", a.wbeam);
  r.get("accurate", "lw", a.lw);
  r.get("accurate", "pip", a.pip);
  r.get("accurate", "ds", a.ds);
  r.get("accurate", "topn", a.topn);
  r.get("accurate", "maxhmmpf", a.maxhmmpf);
  r.get("accurate", "ci", a.ci);
  r.get("accurate", "chunk_max", a.chunk_max);
  r.get("accurate", "chunk_min_pause", a.chunk_min_pause);
  r.get("accurate", "threads", a.threads);
  auto& s = p.prosody;
  r.get("prosody", "min_voiced_seconds", s.min_voiced_seconds);
  r.get("prosody", "reference_f0_low", s.reference_f0_low);
  r.get("prosody", "reference_f0_high", s.reference_f0_high);
  r.get("prosody", "register_split", s.register_split);
  r.get("prosody", "pitch_sd_neutral", s.pitch_sd_neutral);
  r.get("prosody", "pitch_sd_scale", s.pitch_sd_scale);
  r.get("prosody", "loudness_sd_neutral", s.loudness_sd_neutral);
  r.get("prosody", "loudness_sd_scale", s.loudness_sd_scale);
  r.get("prosody", "height_scale", s.height_scale);
  r.get("prosody", "arousal_threshold", s.arousal_threshold);
  r.get("prosody", "angry_pitch_sd_max", s.angry_pitch_sd_max);
  r.get("prosody", "intensity_min", s.intensity_min);
  r.get("prosody", "intensity_max", s.intensity_max);
  auto& e = p.emphasis;
  r.get("emphasis", "modulation", e.modulation);
  r.get("emphasis", "stress_z", e.stress_z);
  r.get("emphasis", "stress_spacing", e.stress_spacing);
  r.get("emphasis", "brow_raise", e.brow_raise);
  r.get("emphasis", "brow_rise", e.brow_rise);
  r.get("emphasis", "brow_fall", e.brow_fall);
  auto& b = p.blinks;
  r.get("blinks", "rate_per_minute", b.rate_per_minute);
  r.get("blinks", "min_gap", b.min_gap);
  r.get("blinks", "duration_min", b.duration_min);
  r.get("blinks", "duration_max", b.duration_max);
  r.get("blinks", "close_fraction", b.close_fraction);
  return p;
}
}  // namespace

const PhoneticParams& phonetic_params() {
  static PhoneticParams params;
  static std::once_flag once;
  std::call_once(once, [] { params = load(); });
  return params;
}

}  // namespace auhead::audio2au::phonetic
