#include "audio2au/phonetic/fast_front_end.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace auhead::audio2au::phonetic {

namespace {
std::string frame_label(const FrameFeatures& f, const VisemeTable& table, const FastParams& p) {
  if (f.silent) return "SIL";
  if (f.zcr >= p.fricative_zcr) return "S";  // noise above 4 kHz can fake voicing in the decimated signal
  if (f.voiced) {
    // Murmur (nasal or voice bar of a voiced stop): energy low in frequency and level, low F1.
    // A low F2 points to the lips (m, b); otherwise the tongue closes (n, d, g).
    if (f.low_band >= p.nasal_low_band && f.loudness <= p.nasal_max_loudness && f.f1 > 0 && f.f1 <= p.murmur_f1_max)
      return f.f2 <= p.labial_f2_max ? "M" : "N";
    if (f.f1 <= 0 || table.vowels().empty()) return "AH";
    const std::string* best = nullptr;
    double best_d = 1e30;
    for (const auto& v : table.vowels()) {
      double d1 = std::log(f.f1 / v.viseme.f1), d2 = std::log(f.f2 / v.viseme.f2);
      double d = d1 * d1 + p.f2_weight * d2 * d2;
      if (d < best_d) {
        best_d = d;
        best = &v.phone;
      }
    }
    return *best;
  }
  return "HH";
}
}  // namespace

PhoneTrack fast_phones(const std::vector<FrameFeatures>& frames, const VisemeTable& table, const FastParams& p) {
  const size_t n = frames.size();
  PhoneTrack out;
  if (n == 0) return out;
  std::vector<std::string> raw(n);
  for (size_t i = 0; i < n; ++i) raw[i] = frame_label(frames[i], table, p);
  // Mode filter; ties keep the centre label. Silence is never voted away: a short gap is a closure.
  std::vector<std::string> lab(n);
  const int half = std::max(0, p.mode_filter / 2);
  for (size_t i = 0; i < n; ++i) {
    if (raw[i] == "SIL") {
      lab[i] = raw[i];
      continue;
    }
    std::map<std::string, int> count;
    for (long j = long(i) - half; j <= long(i) + half; ++j)
      if (j >= 0 && j < long(n) && raw[j] != "SIL") ++count[raw[j]];
    const std::string* best = &raw[i];
    int best_c = count[raw[i]];
    for (auto& [k, c] : count)
      if (c > best_c) {
        best = &k;
        best_c = c;
      }
    lab[i] = *best;
  }
  // Runs -> segments (times are frame edges: frame i spans [i, i+1) * step).
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && lab[j] == lab[i]) ++j;
    out.push_back({lab[i], i * kFrameStep, j * kFrameStep});
    i = j;
  }
  // Too-short speech runs join the previous segment (or the next one at the start).
  PhoneTrack merged;
  for (auto& s : out) {
    bool short_run = s.end - s.start < p.min_segment - 1e-9 && s.phone != "SIL";
    if (short_run && !merged.empty() && merged.back().phone != "SIL") {
      merged.back().end = s.end;
      continue;
    }
    if (!merged.empty() && merged.back().phone == s.phone) {
      merged.back().end = s.end;
      continue;
    }
    merged.push_back(s);
  }
  measure_vowel_jaw(merged, frames, table, p);
  // Silent gaps between speech that are as long as a stop closure: lips closed.
  for (size_t i = 1; i + 1 < merged.size(); ++i) {
    auto& s = merged[i];
    double d = s.end - s.start;
    if (s.phone == "SIL" && d >= p.closure_min - 1e-9 && d <= p.closure_max + 1e-9) s.phone = "P";
  }
  return merged;
}

void measure_vowel_jaw(PhoneTrack& phones, const std::vector<FrameFeatures>& frames, const VisemeTable& table,
                       const FastParams& p) {
  const size_t n = frames.size();
  // Vowels open the jaw as their F1 says (F1 rises with the opening of the vocal tract).
  for (auto& s : phones) {
    if (!table.is_vowel(s.phone)) continue;
    double sum = 0;
    int count = 0;
    for (size_t i = size_t(std::lround(s.start / kFrameStep)); i < n && i * kFrameStep < s.end - 1e-9; ++i)
      if (frames[i].f1 > 0) {
        sum += std::log(frames[i].f1);
        ++count;
      }
    if (count == 0) continue;
    double u = (sum / count - std::log(p.f1_closed)) / (std::log(p.f1_open) - std::log(p.f1_closed));
    s.jaw = float(p.jaw_closed + (p.jaw_open - p.jaw_closed) * std::clamp(u, 0.0, 1.0));
  }
}

}  // namespace auhead::audio2au::phonetic
