// The diffusion fixture handlers of `auhead parity` (VAE, schedulers) register themselves with the
// generic framework in core/parity.h; these names keep the diffusion code and tests reading as before.
#pragma once
#include "core/parity.h"

namespace auhead::diffusion {

using auhead::format_parity_line;
using auhead::ParityReport;
using auhead::ParityResult;
using auhead::run_parity;

}  // namespace auhead::diffusion
