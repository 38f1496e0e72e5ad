// DPM-Solver++(2M) multistep sampler as diffusers' DPMSolverMultistepScheduler computes it (algorithm
// dpmsolver++, midpoint second-order update, first-order final step for fewer than 15 steps); with
// zero-terminal-SNR betas the last ᾱ is set to 2^-24 as later diffusers releases do.
#pragma once
#include <torch/torch.h>

#include <vector>

#include "render/diffusion/noise_schedule.h"
#include "render/diffusion/sampler.h"

namespace auhead::render::diffusion {

class DpmSolverScheduler : public Sampler {
 public:
  explicit DpmSolverScheduler(NoiseScheduleConfig config, int solver_order = 2);

  // Chooses the sampling timesteps (descending), resets the solver history, returns the timesteps.
  const std::vector<int64_t>& set_timesteps(int64_t num_inference_steps) override;
  const std::vector<int64_t>& timesteps() const override { return timesteps_; }

  // One step; must be called with the timesteps in order (the solver keeps the previous x0 estimate).
  torch::Tensor step(const torch::Tensor& model_output, int64_t t, const torch::Tensor& sample) override;

 private:
  NoiseScheduleConfig config_;
  int order_;
  std::vector<double> alphas_cumprod_;
  std::vector<int64_t> timesteps_;
  std::vector<double> sigmas_;  // per timestep, plus the final sigma
  std::size_t step_index_ = 0;
  int lower_order_nums_ = 0;
  torch::Tensor prev_x0_;
};

}  // namespace auhead::render::diffusion
