// Seeded eye blinks at natural rates (about 15-20 a minute, 100-300 ms each, eye closure reaching 1):
// the same seed gives the same blinks on every platform (own SplitMix64 generator, no <random>
// distributions, whose output differs between standard libraries).
#pragma once
#include <cstdint>
#include <vector>

#include "audio2au/phonetic/phonetic_params.h"

namespace auhead::audio2au::phonetic {

struct Blink {
  double start = 0;     // seconds
  double duration = 0;  // seconds
};

// Blinks over [0, duration): gaps are min_gap + exponential(mean 60/rate - min_gap), the first one
// a uniform fraction of a mean gap in.
std::vector<Blink> generate_blinks(double duration, uint64_t seed, const BlinkParams& params);

// Eye closure of one blink at time t: closes over close_fraction of it, stays shut for 15%, opens
// over the rest; 1 at the peak, 0 outside.
float blink_closure(const Blink& b, double t, const BlinkParams& params);
// The largest closure of the blink over [lo, hi] (the closure rises, holds, falls: unimodal).
float blink_peak_in(const Blink& b, double lo, double hi, const BlinkParams& params);

}  // namespace auhead::audio2au::phonetic
