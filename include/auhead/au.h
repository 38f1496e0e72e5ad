// The Action Unit set (docs/design.md §3: FEAFA-24 plus six symmetric channels, 30 in all) and the eight
// emotion labels. Index order is part of the file and token formats: never reorder.
#pragma once
#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace auhead {

inline constexpr int kNumAus = 30;       // channels of an auhead30 sequence
inline constexpr int kNumFeafaAus = 24;  // the FEAFA channels, indices 0..23

enum class AuRegion { eyes, brows, cheeks_nose, mouth };

struct AuInfo {
  int index;
  std::string_view name;    // snake_case, used in CSV headers, edits and plots
  std::string_view label;   // human-readable
  std::string_view facs;    // FACS reference
  std::string_view arkit;   // ARKit blendshape reference
  AuRegion region;          // spatial token order (docs/design.md §5)
  int mirror;               // index of the other side's AU, or -1 for a midline/symmetric AU
};

const std::array<AuInfo, kNumAus>& au_table();
const AuInfo& au_info(int index);
// Index of an AU given by name (case-insensitive) or by its decimal index; nullopt if unknown.
std::optional<int> find_au(std::string_view name_or_index);
// The spatial token order of docs/design.md §5: eyes (0-3, 25), brows (4-7), cheeks and nose (23, 24),
// mouth/jaw (8-22, 26-29).
const std::array<int, kNumAus>& au_spatial_order();

enum class AuSet { feafa24, auhead30 };
std::string_view au_set_name(AuSet set);
std::optional<AuSet> parse_au_set(std::string_view name);
inline int au_set_width(AuSet set) { return set == AuSet::feafa24 ? kNumFeafaAus : kNumAus; }

// MEAD's eight emotion labels, in alphabetical order.
enum class Emotion { angry, contempt, disgusted, fear, happy, neutral, sad, surprised };
inline constexpr int kNumEmotions = 8;
std::string_view emotion_name(Emotion e);
std::optional<Emotion> parse_emotion(std::string_view name);
// Parses a label or throws a usage error listing the valid labels.
Emotion parse_emotion_or_throw(std::string_view name);
std::string emotion_list();  // "angry, contempt, ..., surprised"

}  // namespace auhead
