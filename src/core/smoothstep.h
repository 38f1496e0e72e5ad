// Hermite smoothstep: 0 at or below e0, 1 at or beyond e1, the cubic 3t² − 2t³ between (e1 < e0
// runs backwards). For the soft edges of masks, fades and blends.
#pragma once
#include <algorithm>

namespace auhead {

inline float smoothstep(float e0, float e1, float x) {
  float t = std::clamp((x - e0) / (e1 - e0), 0.f, 1.f);
  return t * t * (3 - 2 * t);
}

}  // namespace auhead
