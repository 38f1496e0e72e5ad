#include "render/diffusion/sampler.h"

#include <stdexcept>

#include "render/diffusion/ddim_scheduler.h"
#include "render/diffusion/dpm_solver_scheduler.h"

namespace auhead::render::diffusion {

std::unique_ptr<Sampler> make_sampler(const std::string& name, const NoiseScheduleConfig& config, int solver_order) {
  if (name == "ddim") return std::make_unique<DdimScheduler>(config);
  if (name == "dpmsolver++") return std::make_unique<DpmSolverScheduler>(config, solver_order);
  throw std::invalid_argument("unknown sampler '" + name + "' (ddim, dpmsolver++)");
}

}  // namespace auhead::render::diffusion
