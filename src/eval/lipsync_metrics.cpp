#include "eval/lipsync_metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <string>

#include "eval/stats.h"

namespace auhead::eval {

double inner_lip_gap_cm(const std::vector<cv::Point3f>& p) {
  return p.size() < 468 ? std::nan("") : std::max(0.0, double(p[13].y - p[14].y));
}

namespace {

// Linear interpolation over NaN gaps (ends hold the nearest value); all NaN → zeros.
void fill_gaps(std::vector<double>& x) {
  int last = -1;
  for (int i = 0; i < int(x.size()); ++i) {
    if (std::isnan(x[i])) continue;
    if (last < 0) std::fill(x.begin(), x.begin() + i, x[i]);
    else
      for (int j = last + 1; j < i; ++j) x[j] = x[last] + (x[i] - x[last]) * double(j - last) / double(i - last);
    last = i;
  }
  if (last < 0) std::fill(x.begin(), x.end(), 0.0);
  else std::fill(x.begin() + last + 1, x.end(), x[last]);
}

bool is_vowel(const std::string& p) {
  static const std::set<std::string> v = {"AA", "AE", "AH", "AO", "AW", "AY", "EH", "ER",
                                          "EY", "IH", "IY", "OW", "OY", "UH", "UW"};
  return v.count(p) > 0;
}
bool is_bilabial(const std::string& p) { return p == "P" || p == "B" || p == "M"; }

}  // namespace

std::vector<double> energy_envelope_db(std::span<const float> samples, int sample_rate, double fps, int frames) {
  std::vector<double> e(frames, 0.0);
  double peak = -1e9;
  for (int i = 0; i < frames; ++i) {
    const long a = long(std::floor(i / fps * sample_rate)), b = long(std::floor((i + 1) / fps * sample_rate));
    double s = 0;
    long n = 0;
    for (long k = std::max(0L, a); k < std::min<long>(b, long(samples.size())); ++k, ++n) s += double(samples[k]) * samples[k];
    e[i] = 10.0 * std::log10(n ? s / n + 1e-12 : 1e-12);
    peak = std::max(peak, e[i]);
  }
  for (double& v : e) v = std::max(v, peak - 50.0);
  return e;
}

std::vector<double> phone_openness(const audio2au::phonetic::PhoneTrack& phones, double fps, int frames) {
  std::vector<double> o(frames, 0.0);
  for (int i = 0; i < frames; ++i) {
    const double t = (i + 0.5) / fps;
    for (const auto& p : phones) {
      if (t < p.start || t >= p.end) continue;
      if (p.phone == "SIL" || is_bilabial(p.phone)) o[i] = 0.0;
      else if (is_vowel(p.phone)) o[i] = 1.0;
      else if (p.phone == "F" || p.phone == "V") o[i] = 0.2;
      else o[i] = 0.4;
      break;
    }
  }
  return o;
}

LipSyncMetrics lipsync_metrics(std::vector<double> mouth, double fps, std::span<const float> samples, int sample_rate,
                               const audio2au::phonetic::PhoneTrack& phones, double max_lag_ms) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  LipSyncMetrics m;
  fill_gaps(mouth);
  m.frames = int(mouth.size());
  const int max_lag = std::max(0, int(std::lround(max_lag_ms / 1000.0 * fps)));
  const double ms_per_frame = 1000.0 / fps;

  auto env = energy_envelope_db(samples, sample_rate, fps, m.frames);
  LagResult le = best_lag(env, mouth, max_lag);
  m.energy_r = le.r, m.energy_r_at_zero = le.r_at_zero, m.energy_lag_ms = le.lag * ms_per_frame;

  m.bilabial_closed = nan;
  m.phone_r = m.phone_r_at_zero = m.phone_lag_ms = nan;
  if (!phones.empty()) {
    m.has_phones = true;
    auto open = phone_openness(phones, fps, m.frames);
    LagResult lp = best_lag(open, mouth, max_lag);
    m.phone_r = lp.r, m.phone_r_at_zero = lp.r_at_zero, m.phone_lag_ms = lp.lag * ms_per_frame;

    std::vector<double> sorted = mouth;
    std::sort(sorted.begin(), sorted.end());
    const double lo = sorted.front();
    const double p95 = sorted.empty() ? 0 : sorted[size_t(0.95 * (sorted.size() - 1))];
    const double closed_below = lo + 0.15 * (p95 - lo);
    int closed = 0;
    for (const auto& p : phones) {
      if (!is_bilabial(p.phone) || p.end - p.start < 0.03) continue;
      ++m.bilabials;
      const int a = std::max(0, int(std::floor((p.start - 0.04) * fps)));
      const int b = std::min(m.frames - 1, int(std::ceil((p.end + 0.04) * fps)));
      bool c = false;
      for (int i = a; i <= b; ++i) c = c || mouth[i] <= closed_below;
      closed += c;
    }
    if (m.bilabials) m.bilabial_closed = double(closed) / m.bilabials;
  }
  return m;
}

}  // namespace auhead::eval
