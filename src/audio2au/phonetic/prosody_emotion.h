// Prosody: an emotion estimate from pitch and energy statistics (used when no --emotion is given), a
// per-frame emphasis curve that modulates the emotion, and the stressed syllables that raise the brows.
//
// Method (rule-based, tuned in data/phonetic.json "prosody"): over the voiced frames, the pitch
// spread (in semitones, after folding each F0 into the octave around the median, which undoes the
// tracker's octave errors but also caps real excursions at +-6 semitones; spreads are the 10-90
// percentile range / 2.563, robust to outliers), the pitch height (median F0 in semitones above a
// reference for the speaker's register: reference_f0_low below register_split Hz, else
// reference_f0_high) and the loudness spread (dB standard deviation over speech frames) are turned
// into an arousal score, the mean of three z-like terms. High arousal with a lively pitch reads as
// happy, high arousal with a flat pitch (< angry_pitch_sd_max) as angry, low arousal as sad, the
// rest as neutral; intensity grows with |arousal| beyond arousal_threshold.
// Limits: prosody carries arousal, hardly valence, so happy/angry are guesses and fear, disgust,
// contempt and surprise are never chosen; there is no speaker normalisation beyond the two
// registers, so a naturally lively or monotone speaker is misread; the microphone's level and
// noise change the loudness spread; under min_voiced_seconds of voicing the answer is neutral.
#pragma once
#include <vector>

#include "audio2au/phonetic/phonetic_params.h"
#include "audio2au/phonetic/signal_features.h"
#include "auhead/au_sequence.h"

namespace auhead::audio2au::phonetic {

struct Stress {
  double time = 0;      // seconds
  float strength = 0;   // (0, 1]
};

struct ProsodyAnalysis {
  EmotionState estimate;          // label and intensity from the statistics
  double pitch_sd = 0;            // semitones
  double pitch_height = 0;        // semitones above the register's reference
  double loudness_sd = 0;         // dB
  double arousal = 0;             // [-1, 1]
  std::vector<float> emphasis;    // per analysis frame, [0, 1], 0.5 = average
  std::vector<Stress> stresses;   // stressed syllables
};

ProsodyAnalysis analyse_prosody(const std::vector<FrameFeatures>& frames, const ProsodyParams& prosody,
                                const EmphasisParams& emphasis);

}  // namespace auhead::audio2au::phonetic
