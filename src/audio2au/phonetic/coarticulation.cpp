#include "audio2au/phonetic/coarticulation.h"

#include <algorithm>
#include <cmath>

namespace auhead::audio2au::phonetic {

namespace {
constexpr int kJawDrop = 8;
}

MouthTrack coarticulate(const std::vector<VisemeSegment>& segs, size_t count, double step, double lookahead) {
  MouthTrack out;
  out.aus.assign(count, AuFrame{});
  out.closure.assign(count, 0.f);
  if (segs.empty()) return out;
  // Tails beyond 6 tau contribute < 0.25% of the dominance: cut them off.
  double reach = 0;
  for (const auto& s : segs) reach = std::max({reach, 6 * s.viseme->anticipation, 6 * s.viseme->carryover});
  size_t first = 0;  // first segment whose end is within reach of t (segments are in time order)
  for (size_t i = 0; i < count; ++i) {
    const double t = (double(i) + 0.5) * step;
    while (first < segs.size() && segs[first].end < t - reach) ++first;
    double sum = 0, closure = 0;
    std::array<double, kNumAus> acc{};
    for (size_t k = first; k < segs.size(); ++k) {
      const auto& s = segs[k];
      if (s.start > t + reach || s.start > t + lookahead) break;
      const Viseme& v = *s.viseme;
      double d;
      if (t < s.start)
        d = v.dominance * std::exp(-(s.start - t) / v.anticipation);
      else if (t > s.end)
        d = v.dominance * std::exp(-(t - s.end) / v.carryover);
      else
        d = v.dominance;
      if (d < 1e-6) continue;
      sum += d;
      if (v.closure) closure += d;
      for (int a = 0; a < kNumAus; ++a)
        if (v.aus[a] != 0) acc[a] += d * v.aus[a];
      if (s.jaw >= 0) acc[kJawDrop] += d * (s.jaw - v.aus[kJawDrop]);
    }
    if (sum <= 0) continue;
    for (int a = 0; a < kNumAus; ++a) out.aus[i][a] = float(std::clamp(acc[a] / sum, 0.0, 1.0));
    out.closure[i] = float(closure / sum);
  }
  return out;
}

}  // namespace auhead::audio2au::phonetic
