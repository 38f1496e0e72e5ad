#include "audio2au/phonetic/blink_generator.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace auhead::audio2au::phonetic {

namespace {
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : s_(seed) {}
  uint64_t next() {
    uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform() { return double(next() >> 11) * 0x1.0p-53; }  // [0, 1)

 private:
  uint64_t s_;
};
}  // namespace

std::vector<Blink> generate_blinks(double duration, uint64_t seed, const BlinkParams& p) {
  std::vector<Blink> out;
  SplitMix64 rng(seed ^ 0xB1B1B1B1ull);
  const double mean_gap = 60.0 / std::max(p.rate_per_minute, 1e-3);
  const double exp_mean = std::max(mean_gap - p.min_gap, 0.0);
  double t = rng.uniform() * mean_gap;
  while (t < duration) {
    double d = p.duration_min + (p.duration_max - p.duration_min) * rng.uniform();
    out.push_back({t, d});
    t += d + p.min_gap - exp_mean * std::log(1 - rng.uniform());
  }
  return out;
}

float blink_closure(const Blink& b, double t, const BlinkParams& p) {
  double u = (t - b.start) / b.duration;
  if (u <= 0 || u >= 1) return 0.f;
  const double c = std::clamp(p.close_fraction, 0.05, 0.8), hold = 0.15;
  if (u < c) return float(0.5 - 0.5 * std::cos(std::numbers::pi * u / c));
  if (u < c + hold) return 1.f;
  return float(0.5 + 0.5 * std::cos(std::numbers::pi * (u - c - hold) / (1 - c - hold)));
}

float blink_peak_in(const Blink& b, double lo, double hi, const BlinkParams& p) {
  const double c = std::clamp(p.close_fraction, 0.05, 0.8);
  const double peak = b.start + (c + 0.075) * b.duration;  // middle of the hold
  return blink_closure(b, std::clamp(peak, lo, hi), p);
}

}  // namespace auhead::audio2au::phonetic
