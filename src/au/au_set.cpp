#include <algorithm>
#include <cctype>
#include <charconv>

#include "auhead/au.h"
#include "auhead/error.h"

namespace auhead {

namespace {
using R = AuRegion;
constexpr std::array<AuInfo, kNumAus> kTable{{
    {0, "eye_closure_left", "left eye closure", "AU43/45", "eyeBlinkLeft", R::eyes, 1},
    {1, "eye_closure_right", "right eye closure", "AU43/45", "eyeBlinkRight", R::eyes, 0},
    {2, "lid_raise_left", "left lid raise", "AU5", "eyeWideLeft", R::eyes, 3},
    {3, "lid_raise_right", "right lid raise", "AU5", "eyeWideRight", R::eyes, 2},
    {4, "brow_lower_left", "left brow lower", "AU4", "browDownLeft", R::brows, 5},
    {5, "brow_lower_right", "right brow lower", "AU4", "browDownRight", R::brows, 4},
    {6, "brow_raise_left", "left brow raise", "AU1+AU2", "browInnerUp, browOuterUpLeft", R::brows, 7},
    {7, "brow_raise_right", "right brow raise", "AU1+AU2", "browInnerUp, browOuterUpRight", R::brows, 6},
    {8, "jaw_drop", "jaw drop (mouth opening)", "AU26/27", "jawOpen", R::mouth, -1},
    {9, "jaw_slide_left", "lower-lip / jaw slide left", "AD30", "jawLeft", R::mouth, 10},
    {10, "jaw_slide_right", "lower-lip / jaw slide right", "AD30", "jawRight", R::mouth, 9},
    {11, "lip_corner_raise_left", "left lip-corner raise", "AU12", "mouthSmileLeft", R::mouth, 12},
    {12, "lip_corner_raise_right", "right lip-corner raise", "AU12", "mouthSmileRight", R::mouth, 11},
    {13, "lip_corner_stretch_left", "left lip-corner stretch", "AU20", "mouthStretchLeft", R::mouth, 14},
    {14, "lip_corner_stretch_right", "right lip-corner stretch", "AU20", "mouthStretchRight", R::mouth, 13},
    {15, "upper_lip_suck", "upper-lip suck", "AU28 (upper)", "mouthRollUpper", R::mouth, -1},
    {16, "lower_lip_suck", "lower-lip suck", "AU28 (lower)", "mouthRollLower", R::mouth, -1},
    {17, "jaw_thrust", "jaw thrust", "AD29", "jawForward", R::mouth, -1},
    {18, "upper_lip_raise", "upper-lip raise", "AU10", "mouthUpperUp", R::mouth, -1},
    {19, "lower_lip_depress", "lower-lip depress", "AU16", "mouthLowerDown", R::mouth, -1},
    {20, "chin_raise", "chin raise", "AU17", "mouthShrugLower", R::mouth, -1},
    {21, "lip_pucker", "lip pucker", "AU18", "mouthPucker", R::mouth, -1},
    {22, "cheek_puff", "cheek puff", "AD34", "cheekPuff", R::mouth, -1},
    {23, "nose_wrinkle", "nose wrinkle", "AU9", "noseSneerLeft/Right", R::cheeks_nose, -1},
    {24, "cheek_raise", "cheek raise", "AU6", "cheekSquintLeft/Right", R::cheeks_nose, -1},
    {25, "lid_tighten", "lid tighten", "AU7", "eyeSquintLeft/Right", R::eyes, -1},
    {26, "dimple", "dimple", "AU14", "mouthDimpleLeft/Right", R::mouth, -1},
    {27, "lip_corner_depress", "lip-corner depress", "AU15", "mouthFrownLeft/Right", R::mouth, -1},
    {28, "lip_tighten", "lip tighten", "AU23", "mouthPressLeft/Right", R::mouth, -1},
    {29, "lips_part", "lips part", "AU25", "(mouthClose inverse)", R::mouth, -1},
}};

constexpr std::array<std::string_view, kNumEmotions> kEmotionNames{
    "angry", "contempt", "disgusted", "fear", "happy", "neutral", "sad", "surprised"};

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}
}  // namespace

const std::array<AuInfo, kNumAus>& au_table() { return kTable; }

const AuInfo& au_info(int index) {
  if (index < 0 || index >= kNumAus) throw usage_error("AU index " + std::to_string(index) + " is not in 0..29");
  return kTable[index];
}

std::optional<int> find_au(std::string_view name_or_index) {
  int idx = 0;
  auto [ptr, ec] = std::from_chars(name_or_index.data(), name_or_index.data() + name_or_index.size(), idx);
  if (ec == std::errc() && ptr == name_or_index.data() + name_or_index.size() && !name_or_index.empty())
    return (idx >= 0 && idx < kNumAus) ? std::optional<int>(idx) : std::nullopt;
  std::string key = lower(name_or_index);
  for (const auto& info : kTable)
    if (info.name == key) return info.index;
  return std::nullopt;
}

const std::array<int, kNumAus>& au_spatial_order() {
  static const std::array<int, kNumAus> order = [] {
    std::array<int, kNumAus> o{};
    int n = 0;
    for (AuRegion r : {R::eyes, R::brows, R::cheeks_nose, R::mouth})
      for (const auto& info : kTable)
        if (info.region == r) o[n++] = info.index;
    return o;
  }();
  return order;
}

std::string_view au_set_name(AuSet set) { return set == AuSet::feafa24 ? "feafa24" : "auhead30"; }

std::optional<AuSet> parse_au_set(std::string_view name) {
  if (name == "feafa24") return AuSet::feafa24;
  if (name == "auhead30") return AuSet::auhead30;
  return std::nullopt;
}

std::string_view emotion_name(Emotion e) { return kEmotionNames[int(e)]; }

std::optional<Emotion> parse_emotion(std::string_view name) {
  std::string key = lower(name);
  for (int i = 0; i < kNumEmotions; ++i)
    if (kEmotionNames[i] == key) return Emotion(i);
  return std::nullopt;
}

std::string emotion_list() {
  std::string out;
  for (auto n : kEmotionNames) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

Emotion parse_emotion_or_throw(std::string_view name) {
  if (auto e = parse_emotion(name)) return *e;
  throw usage_error("unknown emotion '" + std::string(name) + "' (valid: " + emotion_list() + ")");
}

}  // namespace auhead
