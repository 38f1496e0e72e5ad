// The interface both diffusion samplers follow (DDIM, DPM-Solver++), so that the renderer, the parity
// check and the config check choose one by name in one place.
#pragma once
#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "render/diffusion/noise_schedule.h"

namespace auhead::render::diffusion {

class Sampler {
 public:
  virtual ~Sampler() = default;
  // Chooses the sampling timesteps (descending), resets any solver history, returns the timesteps.
  virtual const std::vector<int64_t>& set_timesteps(int64_t num_inference_steps) = 0;
  virtual const std::vector<int64_t>& timesteps() const = 0;
  // One step from `sample` at timestep `t` given the model output (ε or v): x_{t-Δ}. The timesteps
  // must be taken in the order set_timesteps gave them (a multistep solver keeps its history).
  virtual torch::Tensor step(const torch::Tensor& model_output, int64_t t, const torch::Tensor& sample) = 0;
};

// "ddim" or "dpmsolver++" (of order `solver_order`); another name is std::invalid_argument (the
// render config and the parity fixtures check names before they get here).
std::unique_ptr<Sampler> make_sampler(const std::string& name, const NoiseScheduleConfig& config, int solver_order = 2);

}  // namespace auhead::render::diffusion
