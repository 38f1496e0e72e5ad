#include "audio2au/phonetic/signal_features.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <deque>
#include <numbers>

namespace auhead::audio2au::phonetic {

namespace {

constexpr int kHop = 160;        // 10 ms at 16 kHz
constexpr int kWin = 400;        // 25 ms at 16 kHz
constexpr int kRate8 = 8000;     // LPC and pitch run on a 2x decimated signal
constexpr int kWin8 = kWin / 2;
constexpr int kLpcOrder = 10;
constexpr int kEnvelopePoints = 160;  // 25 Hz resolution up to 4 kHz

// 2x decimation after a windowed-sinc low-pass at 3.6 kHz.
std::vector<float> decimate2(std::span<const float> x) {
  constexpr int kTaps = 31, kHalf = kTaps / 2;
  static const std::array<float, kTaps> h = [] {
    std::array<float, kTaps> c{};
    double sum = 0;
    for (int i = 0; i < kTaps; ++i) {
      double n = i - kHalf, fc = 3600.0 / kSampleRate;
      double sinc = n == 0 ? 2 * fc : std::sin(2 * std::numbers::pi * fc * n) / (std::numbers::pi * n);
      double w = 0.54 - 0.46 * std::cos(2 * std::numbers::pi * i / (kTaps - 1));
      c[i] = float(sinc * w);
      sum += c[i];
    }
    for (auto& v : c) v = float(v / sum);
    return c;
  }();
  std::vector<float> y((x.size() + 1) / 2);
  const long n = long(x.size());
  for (size_t k = 0; k < y.size(); ++k) {
    long c = long(2 * k);
    double acc = 0;
    for (int i = 0; i < kTaps; ++i) {
      long j = c + i - kHalf;
      if (j >= 0 && j < n) acc += h[i] * x[j];
    }
    y[k] = float(acc);
  }
  return y;
}

// Normalised autocorrelation peak over lags for 50..400 Hz at 8 kHz; returns {peak, f0}.
std::pair<float, float> pitch(const float* w, int n) {
  const int min_lag = kRate8 / 400, max_lag = std::min(kRate8 / 50, n - 40);
  float best = 0, best_lag = 0;
  std::vector<double> r(max_lag + 2, 0.0);
  for (int lag = min_lag - 1; lag <= max_lag + 1 && lag < n; ++lag) {
    double xy = 0, xx = 0, yy = 0;
    for (int i = 0; i + lag < n; ++i) {
      xy += double(w[i]) * w[i + lag];
      xx += double(w[i]) * w[i];
      yy += double(w[i + lag]) * w[i + lag];
    }
    r[lag] = (xx > 0 && yy > 0) ? xy / std::sqrt(xx * yy) : 0.0;
  }
  for (int lag = min_lag; lag <= max_lag; ++lag)
    if (r[lag] > best && r[lag] >= r[lag - 1] && r[lag] >= r[lag + 1]) best = float(r[lag]);
  if (best <= 0) return {0.f, 0.f};
  // The shortest lag whose peak comes close to the best one: multiples of the period score as
  // high as the period itself, and picking them would halve F0 (octave errors).
  for (int lag = min_lag; lag <= max_lag; ++lag)
    if (r[lag] >= 0.9 * best && r[lag] >= r[lag - 1] && r[lag] >= r[lag + 1]) {
      best_lag = float(lag);
      break;
    }
  // Parabolic refinement of the lag.
  int l = int(best_lag);
  double a = r[l - 1], b = r[l], c = r[l + 1], den = a - 2 * b + c;
  double shift = den != 0 ? 0.5 * (a - c) / den : 0.0;
  return {best, float(kRate8 / (l + std::clamp(shift, -0.5, 0.5)))};
}

// LPC by autocorrelation + Levinson-Durbin; formants are the peaks of the LPC envelope.
std::pair<float, float> formants(const float* w, int n) {
  static const std::vector<float> hamming = [] {
    std::vector<float> h(kWin8);
    for (int i = 0; i < kWin8; ++i) h[i] = float(0.54 - 0.46 * std::cos(2 * std::numbers::pi * i / (kWin8 - 1)));
    return h;
  }();
  std::array<double, kWin8> x{};
  for (int i = 0; i < n; ++i) x[i] = (w[i] - (i > 0 ? 0.9 * w[i - 1] : 0.0)) * hamming[i];  // pre-emphasis
  std::array<double, kLpcOrder + 1> r{};
  for (int k = 0; k <= kLpcOrder; ++k)
    for (int i = k; i < n; ++i) r[k] += x[i] * x[i - k];
  if (r[0] <= 1e-12) return {0.f, 0.f};
  r[0] *= 1.0001;  // white-noise correction keeps the recursion stable
  std::array<double, kLpcOrder + 1> a{}, tmp{};
  a[0] = 1;
  double err = r[0];
  for (int i = 1; i <= kLpcOrder; ++i) {
    double acc = r[i];
    for (int j = 1; j < i; ++j) acc += a[j] * r[i - j];
    double k = -acc / err;
    tmp = a;
    for (int j = 1; j < i; ++j) a[j] = tmp[j] + k * tmp[i - j];
    a[i] = k;
    err *= (1 - k * k);
    if (err <= 0) return {0.f, 0.f};
  }
  // Envelope 1/|A(e^jw)|^2 on a grid; rotate by a phasor instead of calling cos/sin per point.
  static const std::vector<std::complex<double>> phasors = [] {
    std::vector<std::complex<double>> p(kEnvelopePoints);
    for (int i = 0; i < kEnvelopePoints; ++i)
      p[i] = std::polar(1.0, -std::numbers::pi * (i + 0.5) / kEnvelopePoints);
    return p;
  }();
  std::array<double, kEnvelopePoints> env{};
  for (int i = 0; i < kEnvelopePoints; ++i) {
    std::complex<double> z = 1, acc = a[0];
    for (int j = 1; j <= kLpcOrder; ++j) {
      z *= phasors[i];
      acc += a[j] * z;
    }
    env[i] = 1.0 / std::norm(acc);
  }
  float f1 = 0, f2 = 0;
  const double hz_per_bin = double(kRate8) / 2 / kEnvelopePoints;
  for (int i = 1; i + 1 < kEnvelopePoints; ++i) {
    if (!(env[i] > env[i - 1] && env[i] >= env[i + 1])) continue;
    double den = env[i - 1] - 2 * env[i] + env[i + 1];
    double shift = den != 0 ? 0.5 * (env[i - 1] - env[i + 1]) / den : 0.0;
    float hz = float((i + 0.5 + std::clamp(shift, -0.5, 0.5)) * hz_per_bin);
    if (f1 == 0) {
      if (hz >= 200 && hz <= 1100) f1 = hz;
    } else if (hz >= f1 + 150 && hz <= 3000) {
      f2 = hz;
      break;
    }
  }
  if (f1 > 0 && f2 == 0) f2 = f1 + 300;  // merged F1/F2 of a back vowel
  return {f1, f2};
}

}  // namespace

std::vector<FrameFeatures> analyse_frames(std::span<const float> samples, const FastParams& p) {
  const size_t n = samples.size();
  const size_t frames = (n + kHop - 1) / kHop;
  std::vector<FrameFeatures> out(frames);
  auto x8 = decimate2(samples);
  // Low band (< ~400 Hz) by a one-pole low-pass at 8 kHz.
  std::vector<float> low(x8.size());
  {
    const float alpha = float(1 - std::exp(-2 * std::numbers::pi * 400.0 / kRate8));
    float s = 0;
    for (size_t i = 0; i < x8.size(); ++i) low[i] = s += alpha * (x8[i] - s);
  }
  double peak_db = -30;
  // Noise floor: the minimum energy over the last floor_window seconds (minimum statistics, a
  // monotonic deque); until a whole window has passed, a virtual frame at floor_start dB counts too,
  // so that speech from the first frame on is not taken for the floor.
  const size_t window = std::max<size_t>(1, size_t(std::lround(p.floor_window / kFrameStep)));
  std::deque<std::pair<size_t, double>> minima;
  const double step = kFrameStep;
  std::array<float, kWin8> w8{};
  for (size_t f = 0; f < frames; ++f) {
    FrameFeatures& ff = out[f];
    long centre = long(f) * kHop + kHop / 2;
    long start = centre - kWin / 2;
    double e = 0;
    int zc = 0;
    float prev = 0;
    for (int i = 0; i < kWin; ++i) {
      long j = start + i;
      float v = (j >= 0 && j < long(n)) ? samples[j] : 0.f;
      e += double(v) * v;
      if (i > 0 && ((v >= 0) != (prev >= 0))) ++zc;
      prev = v;
    }
    ff.energy_db = float(10 * std::log10(e / kWin + 1e-10));
    ff.zcr = float(zc) / kWin;
    // Running floor and peak trackers (causal).
    while (!minima.empty() && minima.back().second >= ff.energy_db) minima.pop_back();
    minima.emplace_back(f, ff.energy_db);
    while (minima.front().first + window <= f) minima.pop_front();
    double floor_db = minima.front().second;
    if (f < window) floor_db = std::min(floor_db, p.floor_start);
    peak_db = std::max(double(ff.energy_db), peak_db - p.peak_decay * step);
    double gate = std::max(floor_db + p.gate_above_floor, peak_db - p.gate_below_peak);
    gate = std::max(gate, p.absolute_gate);
    ff.silent = ff.energy_db < gate;
    ff.loudness = ff.silent ? 0.f : float(std::clamp((ff.energy_db - gate) / std::max(peak_db - gate, 1.0), 0.0, 1.0));
    if (ff.silent) continue;
    // 8 kHz window for pitch, formants and the low-band ratio.
    long s8 = start / 2;
    double el = 0, ea = 0;
    for (int i = 0; i < kWin8; ++i) {
      long j = s8 + i;
      bool in = j >= 0 && j < long(x8.size());
      w8[i] = in ? x8[j] : 0.f;
      float l = in ? low[j] : 0.f;
      el += double(l) * l;
      ea += double(w8[i]) * w8[i];
    }
    ff.low_band = ea > 0 ? float(std::min(1.0, el / ea)) : 0.f;
    auto [v, f0] = pitch(w8.data(), kWin8);
    ff.voicing = std::max(0.f, v);
    ff.voiced = ff.voicing >= p.voicing;
    ff.f0 = ff.voiced ? f0 : 0.f;
    auto [f1, f2] = formants(w8.data(), kWin8);
    ff.f1 = f1;
    ff.f2 = f2;
  }
  return out;
}

}  // namespace auhead::audio2au::phonetic
