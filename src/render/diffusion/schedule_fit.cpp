#include "render/diffusion/schedule_fit.h"

#include <stdexcept>

#include "auhead/error.h"
#include "render/diffusion/sampler.h"

namespace auhead::render::diffusion {

void check_schedule_fits(const NoiseScheduleConfig& config, const std::string& sampler, int64_t steps,
                         const std::string& source) {
  try {
    make_sampler(sampler == "dpmsolver++" ? sampler : "ddim", config)->set_timesteps(steps);
  } catch (const std::invalid_argument& e) {
    throw input_error(source, "the schedule cannot take " + std::to_string(steps) + " steps: " + e.what());
  }
}

}  // namespace auhead::render::diffusion
