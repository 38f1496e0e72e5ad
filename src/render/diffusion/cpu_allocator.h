// Keeps freed memory in the process (glibc malloc) during diffusion sampling: every step allocates and
// frees the same large activations, and returning them to the kernel made page faults cost ~half the time.
#pragma once

namespace auhead::render::diffusion {

// Raises glibc's mmap and trim thresholds once per process; no effect with other C libraries.
void keep_freed_memory();

}  // namespace auhead::render::diffusion
