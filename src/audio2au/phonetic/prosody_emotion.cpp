#include "audio2au/phonetic/prosody_emotion.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace auhead::audio2au::phonetic {

namespace {
double mean(const std::vector<double>& v) { return v.empty() ? 0 : std::accumulate(v.begin(), v.end(), 0.0) / v.size(); }
double stdev(const std::vector<double>& v) {
  if (v.size() < 2) return 0;
  double m = mean(v), s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return std::sqrt(s / (v.size() - 1));
}
// Spread from the 10th-90th percentile range (= the standard deviation for a normal distribution),
// robust to the octave errors of a pitch tracker and to a few clipped or noisy frames.
double robust_sd(std::vector<double> v) {
  if (v.size() < 10) return stdev(v);
  std::sort(v.begin(), v.end());
  return (v[v.size() * 9 / 10] - v[v.size() / 10]) / 2.563;
}
double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}
// Centred moving average over `radius` frames either side.
std::vector<double> smooth(const std::vector<double>& x, int radius) {
  std::vector<double> y(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    double s = 0;
    int c = 0;
    for (long j = long(i) - radius; j <= long(i) + radius; ++j)
      if (j >= 0 && j < long(x.size())) {
        s += x[j];
        ++c;
      }
    y[i] = s / c;
  }
  return y;
}
}  // namespace

ProsodyAnalysis analyse_prosody(const std::vector<FrameFeatures>& frames, const ProsodyParams& p,
                                const EmphasisParams& e) {
  ProsodyAnalysis out;
  const size_t n = frames.size();
  out.emphasis.assign(n, 0.5f);
  std::vector<double> f0s, loud_db;
  for (const auto& f : frames) {
    if (f.voiced && f.f0 > 0) f0s.push_back(f.f0);
    if (!f.silent) loud_db.push_back(f.energy_db);
  }
  const double voiced_seconds = f0s.size() * kFrameStep;
  double med_f0 = median(f0s);
  // Octave errors of the tracker: fold every F0 into the octave around the median.
  auto fold = [&](double f) {
    while (f > med_f0 * std::sqrt(2.0)) f /= 2;
    while (f < med_f0 / std::sqrt(2.0)) f *= 2;
    return f;
  };
  for (auto& f : f0s) f = fold(f);
  med_f0 = median(f0s);
  std::vector<double> st;
  for (double f : f0s) st.push_back(12 * std::log2(f / std::max(med_f0, 1.0)));
  out.pitch_sd = robust_sd(st);
  double ref = med_f0 < p.register_split ? p.reference_f0_low : p.reference_f0_high;
  out.pitch_height = med_f0 > 0 ? 12 * std::log2(med_f0 / ref) : 0;
  out.loudness_sd = robust_sd(loud_db);

  // Emotion from the statistics.
  out.estimate = {Emotion::neutral, 0.f};
  if (voiced_seconds >= p.min_voiced_seconds) {
    double a = ((out.pitch_sd - p.pitch_sd_neutral) / p.pitch_sd_scale +
                (out.loudness_sd - p.loudness_sd_neutral) / p.loudness_sd_scale + out.pitch_height / p.height_scale) / 3;
    out.arousal = std::clamp(a, -1.0, 1.0);
    double excess = std::abs(out.arousal) - p.arousal_threshold;
    if (excess > 0) {
      float intensity = float(p.intensity_min + (p.intensity_max - p.intensity_min) *
                                                    std::min(1.0, excess / (1 - p.arousal_threshold)));
      Emotion label = out.arousal < 0 ? Emotion::sad
                      : out.pitch_sd < p.angry_pitch_sd_max ? Emotion::angry
                                                            : Emotion::happy;
      out.estimate = {label, intensity};
    }
  }

  // Emphasis: z-scores of smoothed loudness and pitch over the speech frames, mapped to [0, 1].
  if (n == 0 || loud_db.size() < 2) return out;
  std::vector<double> level(n), pitch_st(n, 0.0);
  for (size_t i = 0; i < n; ++i) {
    level[i] = frames[i].silent ? std::nan("") : frames[i].energy_db;
    pitch_st[i] = frames[i].voiced && frames[i].f0 > 0 ? 12 * std::log2(fold(frames[i].f0) / std::max(med_f0, 1.0)) : 0.0;
  }
  const double lm = mean(loud_db), ls = std::max(stdev(loud_db), 1.0), ps = std::max(out.pitch_sd, 1.0);
  std::vector<double> z(n);
  for (size_t i = 0; i < n; ++i)
    z[i] = std::isnan(level[i]) ? -1.0 : 0.5 * (level[i] - lm) / ls + 0.5 * pitch_st[i] / ps;
  auto zs = smooth(z, 5);  // 110 ms
  for (size_t i = 0; i < n; ++i) out.emphasis[i] = float(std::clamp(0.5 + 0.25 * zs[i], 0.0, 1.0));
  // Stressed syllables: local maxima of the smoothed score on voiced frames, above stress_z,
  // greedily kept from the strongest at least stress_spacing apart.
  std::vector<size_t> peaks;
  for (size_t i = 1; i + 1 < n; ++i)
    if (frames[i].voiced && zs[i] >= e.stress_z && zs[i] >= zs[i - 1] && zs[i] > zs[i + 1]) peaks.push_back(i);
  std::sort(peaks.begin(), peaks.end(), [&](size_t a, size_t b) { return zs[a] > zs[b]; });
  std::vector<size_t> kept;
  for (size_t i : peaks) {
    bool clear = std::all_of(kept.begin(), kept.end(), [&](size_t k) {
      return std::abs(double(i) - double(k)) * kFrameStep >= e.stress_spacing;
    });
    if (clear) kept.push_back(i);
  }
  std::sort(kept.begin(), kept.end());
  for (size_t i : kept)
    out.stresses.push_back({frame_time(i), float(std::clamp((zs[i] - e.stress_z) / 1.5 + 0.4, 0.1, 1.0))});
  return out;
}

}  // namespace auhead::audio2au::phonetic
