// Frame-level acoustic analysis of 16 kHz speech (10 ms hop, 25 ms window): energy, causal loudness,
// voicing and F0, LPC formants F1/F2, low-band energy ratio and zero-crossing rate. Plain C++ DSP;
// the fast front end reads phones from it and the prosody layer reads pitch and energy from it.
#pragma once
#include <span>
#include <vector>

#include "audio2au/phonetic/phonetic_params.h"

namespace auhead::audio2au::phonetic {

inline constexpr int kSampleRate = 16000;
inline constexpr double kFrameStep = 0.01;  // seconds between analysis frames

struct FrameFeatures {
  float energy_db = -100;   // mean power of the 25 ms window, dBFS
  float loudness = 0;       // [0, 1] between the speech gate and the running peak; 0 = silent
  bool silent = true;
  float voicing = 0;        // normalised autocorrelation peak in 50-400 Hz, [0, 1]
  bool voiced = false;
  float f0 = 0;             // Hz, 0 when unvoiced
  float f1 = 0, f2 = 0;     // formants from the LPC envelope, Hz (0 if none found)
  float low_band = 0;       // share of the energy below ~400 Hz
  float zcr = 0;            // zero crossings per sample
};

// Frame i is centred at (i + 0.5) * kFrameStep seconds; ceil(samples / 160) frames.
// Causal except for the 12.5 ms half window: the loudness gate follows the signal with running
// floor (minimum over a window) and peak trackers (FastParams), so the same code serves streaming.
std::vector<FrameFeatures> analyse_frames(std::span<const float> samples, const FastParams& params);

inline double frame_time(size_t i) { return (double(i) + 0.5) * kFrameStep; }

}  // namespace auhead::audio2au::phonetic
