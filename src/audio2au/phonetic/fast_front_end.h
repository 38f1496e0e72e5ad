// The `fast` acoustic front end: phones from signal processing alone (energy, voicing, LPC formants,
// nasal murmur, silence gaps), for streaming with <= 100 ms latency and ~no CPU. Vowels are the
// nearest formant prototype of data/visemes.json; silent gaps inside speech become lip closures.
#pragma once
#include <vector>

#include "audio2au/phonetic/phone_segment.h"
#include "audio2au/phonetic/phonetic_params.h"
#include "audio2au/phonetic/signal_features.h"
#include "audio2au/phonetic/viseme_table.h"

namespace auhead::audio2au::phonetic {

// Phones labelled per 10 ms frame, smoothed with a mode filter (mode_filter frames, centred) and
// merged into segments; silent runs of closure_min..closure_max between speech become "P" (closure),
// "M" for a nasal murmur, "S" for a fricative, "HH" for other unvoiced sound, "SIL" for silence.
// Look-ahead: half the mode filter (20 ms) plus the analysis half window (12.5 ms); the closure
// relabelling needs to know a gap has ended, but rest and closure both keep the lips together.
// Sets the jaw opening of vowel segments from their mean F1 (log-linear from jaw_closed at
// f1_closed to jaw_open at f1_open); used by both front ends.
void measure_vowel_jaw(PhoneTrack& phones, const std::vector<FrameFeatures>& frames, const VisemeTable& table,
                       const FastParams& params);

PhoneTrack fast_phones(const std::vector<FrameFeatures>& frames, const VisemeTable& table, const FastParams& params);

}  // namespace auhead::audio2au::phonetic
