#include "render/diffusion/context_windows.h"

#include <algorithm>

namespace auhead::render::diffusion {

std::vector<FrameWindow> context_windows(int64_t frames, int64_t size, int64_t overlap) {
  std::vector<FrameWindow> out;
  if (frames <= 0) return out;
  size = std::max<int64_t>(size, 1);
  if (frames <= size) return {{0, frames}};
  const int64_t stride = std::max<int64_t>(size - std::clamp<int64_t>(overlap, 0, size - 1), 1);
  for (int64_t b = 0;; b += stride) {
    if (b + size >= frames) {
      out.push_back({frames - size, frames});
      break;
    }
    out.push_back({b, b + size});
  }
  return out;
}

}  // namespace auhead::render::diffusion
