// The parity comparison moved to core/parity_compare.h (shared with the ALM checks); these names keep
// diffusion code that includes this header compiling unchanged.
#pragma once
#include "core/parity_compare.h"

namespace auhead::render::diffusion {

using auhead::compare_tensors;
using auhead::parity_tolerance;

}  // namespace auhead::render::diffusion
