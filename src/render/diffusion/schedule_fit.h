// Whether a sampling step count fits a noise schedule, checked when the models load rather than
// when sampling starts: a scheduler config with fewer training timesteps than steps, or a
// steps_offset that pushes a timestep past its end, is the config file's fault (an input error).
#pragma once
#include <cstdint>
#include <string>

#include "render/diffusion/noise_schedule.h"

namespace auhead::render::diffusion {

// `sampler`: "ddim" or "dpmsolver++". Throws input_error(source, ...) when the timesteps that
// `steps` steps would visit do not all lie in [0, num_train_timesteps).
void check_schedule_fits(const NoiseScheduleConfig& config, const std::string& sampler, int64_t steps,
                         const std::string& source);

}  // namespace auhead::render::diffusion
