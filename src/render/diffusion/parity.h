// The diffusion fixture handlers of `auhead parity` (VAE, schedulers, pose guider, UNets, CLIP vision)
// for the generic framework in core/parity.h (listed in pipeline/implementations.cpp); the names below
// keep the diffusion code and tests reading as before.
#pragma once
#include "core/parity.h"

namespace auhead::render::diffusion {

std::vector<ParityHandler> parity_handlers();

using auhead::format_parity_line;
using auhead::ParityReport;
using auhead::ParityResult;
using auhead::run_parity;

}  // namespace auhead::render::diffusion
