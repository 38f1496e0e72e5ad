// Speech longer than the encoder's 30-s window is answered window by window: windows overlap by 2 s
// and their 5-fps AU frames are cross-faded linearly over the overlap; the emotion of the whole is the
// label that holds the most frames × intensity.
#pragma once
#include <cstdint>
#include <vector>

#include "auhead/au_sequence.h"

namespace auhead::audio2au::alm {

struct AudioWindow {
  int64_t begin = 0, end = 0;  // samples
  int first_frame = 0;         // its first 5-fps frame in the whole
  int frames = 0;              // ceil((end - begin) / 3200)
};

// Windows of `window` samples starting every window - overlap (both multiples of 3200) until the
// last one reaches the end; one window for samples ≤ window.
std::vector<AudioWindow> plan_audio_windows(int64_t samples, int64_t window = 480000, int64_t overlap = 32000);

// The frames of the whole (ceil(samples / 3200) of them) from each window's frames.
std::vector<AuFrame> stitch_window_frames(const std::vector<AudioWindow>& windows,
                                          const std::vector<std::vector<AuFrame>>& frames);

// The combined emotion: the label with the largest sum of frames × intensity, at the frame-weighted
// mean intensity of the windows that chose it.
EmotionState combine_window_emotions(const std::vector<AudioWindow>& windows, const std::vector<EmotionState>& emotions);

}  // namespace auhead::audio2au::alm
