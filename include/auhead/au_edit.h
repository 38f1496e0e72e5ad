// User edits of an AU sequence: per-AU overrides over a time range with smooth ramps, and a global
// emotion-intensity scale. Given on the command line (--set) or in a JSON edit file (--edit).
#pragma once
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auhead/au_sequence.h"

namespace auhead {

struct AuOverride {
  enum class Mode { set, add, scale };  // v := value, v += value, v *= value
  int au = 0;
  float value = 0.f;
  Mode mode = Mode::set;
  double start = 0.0;                                      // seconds
  double end = std::numeric_limits<double>::infinity();    // seconds
  double ramp_in = 0.0;   // seconds before `start` over which the edit fades in
  double ramp_out = 0.0;  // seconds after `end` over which it fades out
};

struct AuEdit {
  std::optional<float> emotion_intensity_scale;
  std::vector<AuOverride> overrides;
};

// "AU=VALUE[@START-END][~RAMP]" with AU a name or index and '=' one of '=', '+=', '*=',
// e.g. "jaw_drop=0.6@1.2-2.0~0.25", "lip_corner_raise_left+=0.3@3-", "8*=0.5".
AuOverride parse_au_override(std::string_view spec);
// JSON edit file: {"emotion_intensity_scale": 1.5, "overrides": [{"au": "jaw_drop", "value": 0.6,
//   "mode": "set", "start": 1.2, "end": 2.0, "ramp": 0.25 (or "ramp_in"/"ramp_out")}]}
AuEdit read_edit_file(const std::filesystem::path& file);

// Applies the scale first (it needs the sequence's emotion label, and moves the AUs of that
// emotion's prototype by (scale − 1) · intensity · prototype), then the overrides in order.
// Results are clamped to [0, 1].
void apply_edit(AuSequence& seq, const AuEdit& edit);

// FACS prototype of an emotion at intensity 1 (data/emotion_prototypes.json).
const AuFrame& emotion_prototype(Emotion e);

}  // namespace auhead
