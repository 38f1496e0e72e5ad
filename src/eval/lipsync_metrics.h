// Lip sync of a video against its speech: the mouth opening measured on the frames, correlated with
// the audio's energy envelope and with the phoneme timeline (open vowels vs closures), with the best
// lag in ms, and how often p/b/m actually close the lips.
#pragma once
#include <span>
#include <vector>

#include <opencv2/core/types.hpp>

#include "audio2au/phonetic/phone_segment.h"

namespace auhead::eval {

// The mouth opening that lip sync is measured on: the inner-lip gap 13–14 of canonical landmarks
// (FaceAlignment::aligned, cm, y up), 0 when the lips overlap; NaN for a mesh without 468 points.
double inner_lip_gap_cm(const std::vector<cv::Point3f>& aligned);

// Log energy (dB, floored 50 dB below the loudest frame) of the audio under each video frame:
// frame i covers [i/fps, (i+1)/fps).
std::vector<double> energy_envelope_db(std::span<const float> samples, int sample_rate, double fps, int frames);

// How open the phones ask the mouth to be under each frame (centre time): vowels 1, p/b/m 0,
// silence 0, other consonants 0.4 (f/v 0.2).
std::vector<double> phone_openness(const audio2au::phonetic::PhoneTrack& phones, double fps, int frames);

struct LipSyncMetrics {
  int frames = 0;
  double energy_r = 0;          // Pearson r of mouth opening vs energy envelope at the best lag
  double energy_r_at_zero = 0;  // ... at lag 0
  double energy_lag_ms = 0;     // best lag; > 0: the mouth moves after the sound
  bool has_phones = false;
  double phone_r = 0, phone_r_at_zero = 0, phone_lag_ms = 0;  // the same against phone_openness
  int bilabials = 0;            // p/b/m phones at least 30 ms long
  double bilabial_closed = 0;   // fraction of them with the lips closed (opening < 15 % of its 95th
                                // percentile) at some frame within the phone ± 40 ms; NaN if none
};

// `mouth`: opening per video frame (any unit; NaN where no face was found: interpolated).
LipSyncMetrics lipsync_metrics(std::vector<double> mouth, double fps, std::span<const float> samples, int sample_rate,
                               const audio2au::phonetic::PhoneTrack& phones = {}, double max_lag_ms = 300);

}  // namespace auhead::eval
