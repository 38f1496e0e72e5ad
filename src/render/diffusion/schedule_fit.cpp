#include "render/diffusion/schedule_fit.h"

#include <stdexcept>

#include "auhead/error.h"
#include "render/diffusion/ddim_scheduler.h"
#include "render/diffusion/dpm_solver_scheduler.h"

namespace auhead::diffusion {

void check_schedule_fits(const NoiseScheduleConfig& config, const std::string& sampler, int64_t steps,
                         const std::string& source) {
  try {
    if (sampler == "dpmsolver++") DpmSolverScheduler(config, 2).set_timesteps(steps);
    else DdimScheduler(config).set_timesteps(steps);
  } catch (const std::invalid_argument& e) {
    throw input_error(source, "the schedule cannot take " + std::to_string(steps) + " steps: " + e.what());
  }
}

}  // namespace auhead::diffusion
