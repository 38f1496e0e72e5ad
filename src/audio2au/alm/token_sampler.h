// Picks the next token among candidates from their logits: argmax (temperature 0), or seeded sampling
// with temperature, top-k and top-p applied in that order, as Hugging Face's generate() does.
#pragma once
#include <cstdint>
#include <random>
#include <span>

#include "audio2au/alm/sampling_settings.h"

namespace auhead::audio2au::alm {

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

}  // namespace auhead::audio2au::alm
