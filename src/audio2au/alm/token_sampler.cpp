#include "audio2au/alm/token_sampler.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "au/number_format.h"
#include "auhead/error.h"

namespace auhead::audio2au::alm {

TokenSampler::TokenSampler(const SamplingSettings& s) : settings_(s), rng_(s.seed) {
  if (!std::isfinite(s.temperature) || s.temperature < 0)
    throw usage_error("--temperature must be 0 (greedy) or positive, got " + format_number(s.temperature));
  if (s.top_k < 0) throw usage_error("--top-k must be 0 (off) or positive, got " + std::to_string(s.top_k));
  if (!(s.top_p > 0 && s.top_p <= 1)) throw usage_error("--top-p must be in (0, 1], got " + format_number(s.top_p));
}

std::size_t TokenSampler::pick(std::span<const float> logits) {
  const std::size_t n = logits.size();
  if (settings_.greedy() || n == 1) return std::size_t(std::max_element(logits.begin(), logits.end()) - logits.begin());
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return logits[a] > logits[b]; });
  std::size_t keep = settings_.top_k > 0 ? std::min<std::size_t>(n, std::size_t(settings_.top_k)) : n;
  std::vector<double> p(keep);
  const double top = logits[order[0]] / double(settings_.temperature);
  double sum = 0;
  for (std::size_t i = 0; i < keep; ++i) sum += p[i] = std::exp(logits[order[i]] / double(settings_.temperature) - top);
  // Nucleus: the most likely tokens whose probability reaches top_p (always at least one).
  if (settings_.top_p < 1) {
    double cumulative = 0;
    std::size_t cut = 0;
    while (cut < keep && cumulative < settings_.top_p * sum) cumulative += p[cut++];
    keep = std::max<std::size_t>(cut, 1);
    sum = std::accumulate(p.begin(), p.begin() + keep, 0.0);
  }
  const double u = double(rng_() >> 11) * 0x1.0p-53 * sum;  // uniform in [0, sum)
  double cumulative = 0;
  for (std::size_t i = 0; i < keep; ++i) {
    cumulative += p[i];
    if (u < cumulative) return order[i];
  }
  return order[keep - 1];
}

}  // namespace auhead::audio2au::alm
