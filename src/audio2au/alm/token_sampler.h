// Picks the next token among candidates from their logits: argmax (temperature 0), or seeded sampling
// with temperature, top-k and top-p applied in that order, as Hugging Face's generate() does.
#pragma once
#include <cstdint>
#include <random>
#include <span>

namespace auhead::alm {

struct SamplingSettings {
  float temperature = 0.f;  // 0: greedy
  int top_k = 0;            // 0: no limit
  float top_p = 1.f;        // 1: no nucleus cut
  uint64_t seed = 0;
  bool greedy() const { return temperature <= 0.f; }
};

class TokenSampler {
 public:
  // Out-of-range settings (negative or non-finite temperature, top_k < 0, top_p outside (0, 1]) are
  // usage errors.
  explicit TokenSampler(const SamplingSettings& settings);
  // Index into `logits` of the chosen candidate (logits.size() ≥ 1). Greedy ties go to the first.
  std::size_t pick(std::span<const float> logits);

 private:
  SamplingSettings settings_;
  std::mt19937_64 rng_;
};

}  // namespace auhead::alm
