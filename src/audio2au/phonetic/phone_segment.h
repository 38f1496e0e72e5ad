// A recognised phone with its time span: what both acoustic front ends (accurate: pocketsphinx,
// fast: signal processing) hand to the viseme layer, and what the AU plot marks.
#pragma once
#include <string>
#include <vector>

namespace auhead::audio2au::phonetic {

struct PhoneSegment {
  std::string phone;  // ARPAbet without stress digits ("AA", "P", ...), "SIL" for silence
  double start = 0;   // seconds
  double end = 0;     // seconds, > start
  float jaw = -1;     // fast front end, vowels: jaw opening measured from F1, [0, 1]; < 0: the viseme's
};

using PhoneTrack = std::vector<PhoneSegment>;

}  // namespace auhead::audio2au::phonetic
