// How the alm generator picks each answer token: greedy, or seeded sampling with temperature, top-k
// and top-p (DIR/generation_config.json, --sample). Apart from TokenSampler so that the model-folder
// header does not need <span> (the fuzz harnesses compile it as C++17).
#pragma once
#include <cstdint>

namespace auhead::audio2au::alm {

struct SamplingSettings {
  float temperature = 0.f;  // 0: greedy
  int top_k = 0;            // 0: no limit
  float top_p = 1.f;        // 1: no nucleus cut
  uint64_t seed = 0;
  bool greedy() const { return temperature <= 0.f; }
};

}  // namespace auhead::audio2au::alm
