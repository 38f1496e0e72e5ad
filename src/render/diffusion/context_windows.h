// Overlapping context windows for long videos: the denoising UNet sees at most `size` frames at a time;
// windows overlap by `overlap` frames and the overlapping predictions are averaged at every step.
#pragma once
#include <cstdint>
#include <vector>

namespace auhead::render::diffusion {

struct FrameWindow {
  int64_t begin = 0, end = 0;  // [begin, end)
};

// Windows covering frames [0, frames): stride size - overlap from 0, the last one ending at `frames`
// (shifted back so that every window has `size` frames when the video is that long). One window when
// frames <= size.
std::vector<FrameWindow> context_windows(int64_t frames, int64_t size, int64_t overlap);

}  // namespace auhead::render::diffusion
