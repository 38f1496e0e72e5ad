// Tuning of the phonetic AU generator, read from data/phonetic.json (the file documents each value),
// so that a person can tune thresholds, blink rates and decoder beams without touching code.
#pragma once

namespace auhead::audio2au::phonetic {

struct FastParams {
  double gate_above_floor = 12, gate_below_peak = 38, absolute_gate = -65, peak_decay = 1.0;
  double floor_window = 1.5, floor_start = -50;
  double voicing = 0.5, nasal_low_band = 0.65, nasal_max_loudness = 0.7, murmur_f1_max = 320, labial_f2_max = 1350;
  double fricative_zcr = 0.3;
  double f1_closed = 300, f1_open = 800, jaw_closed = 0.1, jaw_open = 0.85;
  double closure_min = 0.03, closure_max = 0.25, f2_weight = 0.5;
  int mode_filter = 5;
  double min_segment = 0.03, lookahead = 0.06;
};

struct AccurateParams {
  double beam = 1e-20, pbeam = 1e-20, wbeam = 1e-10, lw = 2.0, pip = 1.0;
  int ds = 1, topn = 4, maxhmmpf = 3000, ci = 0;
  double chunk_max = 6.0, chunk_min_pause = 0.15;
  int threads = 2;
};

struct ProsodyParams {
  double min_voiced_seconds = 1.0, reference_f0_low = 120, reference_f0_high = 210, register_split = 165;
  double pitch_sd_neutral = 3.0, pitch_sd_scale = 1.5, loudness_sd_neutral = 6.0, loudness_sd_scale = 3.0;
  double height_scale = 4.0, arousal_threshold = 0.35, angry_pitch_sd_max = 2.5;
  double intensity_min = 0.3, intensity_max = 0.8;
};

struct EmphasisParams {
  double modulation = 0.4, stress_z = 1.0, stress_spacing = 0.45, brow_raise = 0.3, brow_rise = 0.08, brow_fall = 0.25;
};

struct BlinkParams {
  double rate_per_minute = 17, min_gap = 1.0, duration_min = 0.1, duration_max = 0.3, close_fraction = 0.4;
};

struct PhoneticParams {
  FastParams fast;
  AccurateParams accurate;
  ProsodyParams prosody;
  EmphasisParams emphasis;
  BlinkParams blinks;
};

// Loaded once from data/phonetic.json; a missing key keeps the default above, a key that is not a
// number is an input error naming the file and key.
const PhoneticParams& phonetic_params();

}  // namespace auhead::audio2au::phonetic
