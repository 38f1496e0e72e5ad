// DDIM sampler (deterministic, eta 0) as diffusers' DDIMScheduler computes it: timestep spacing,
// ε- or v-prediction, ᾱ of the final step 1 (set_alpha_to_one), no sample clipping.
#pragma once
#include <torch/torch.h>

#include <vector>

#include "render/diffusion/noise_schedule.h"
#include "render/diffusion/sampler.h"

namespace auhead::render::diffusion {

class DdimScheduler : public Sampler {
 public:
  explicit DdimScheduler(NoiseScheduleConfig config);

  // Chooses the sampling timesteps (descending) and returns them.
  const std::vector<int64_t>& set_timesteps(int64_t num_inference_steps) override;
  const std::vector<int64_t>& timesteps() const override { return timesteps_; }

  // One step from `sample` at timestep `t` given the model output (ε or v): x_{t-Δ}. DDIM keeps no
  // history: any timestep of the schedule may be stepped from.
  torch::Tensor step(const torch::Tensor& model_output, int64_t t, const torch::Tensor& sample) override;

  const NoiseScheduleConfig& config() const { return config_; }

 private:
  NoiseScheduleConfig config_;
  std::vector<double> alphas_cumprod_;
  int64_t num_inference_steps_ = 0;
  std::vector<int64_t> timesteps_;
};

}  // namespace auhead::render::diffusion
