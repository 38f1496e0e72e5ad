#include "render/diffusion/cpu_allocator.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace auhead::render::diffusion {

void keep_freed_memory() {
#if defined(__GLIBC__)
  static const bool done = [] {
    mallopt(M_MMAP_THRESHOLD, 32 << 20);  // glibc's largest allowed value
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    mallopt(M_TOP_PAD, 256 << 20);
    return true;
  }();
  (void)done;
#endif
}

}  // namespace auhead::render::diffusion
