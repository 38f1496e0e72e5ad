// Coarticulation: blends viseme targets over time with dominance functions (Cohen & Massaro 1993
// style, with a plateau over each segment and exponential anticipation/carry-over tails), so that
// mouth shapes anticipate the next phone and bilabial closures win and hold.
#pragma once
#include <limits>
#include <vector>

#include "audio2au/phonetic/viseme_table.h"
#include "auhead/au_sequence.h"

namespace auhead::audio2au::phonetic {

struct MouthTrack {
  std::vector<AuFrame> aus;   // speech AUs per time step (only the speech channels are non-zero)
  std::vector<float> closure; // share of the dominance held by closure visemes, [0, 1]
};

// Evaluates the blend at times t_i = (i + 0.5) * step for i < count. A segment contributes
// dominance D(t) = d inside [start, end] and d * exp(-dist / tau) outside (tau = anticipation before
// it, carryover after it); segments that start more than `lookahead` seconds after t are not seen
// (the fast front end's latency budget). Output = sum D * target / sum D.
MouthTrack coarticulate(const std::vector<VisemeSegment>& segments, size_t count, double step,
                        double lookahead = std::numeric_limits<double>::infinity());

}  // namespace auhead::audio2au::phonetic
