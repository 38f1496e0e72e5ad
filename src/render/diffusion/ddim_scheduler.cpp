#include "render/diffusion/ddim_scheduler.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>
#include <string>

#include "auhead/error.h"

namespace auhead::render::diffusion {

DdimScheduler::DdimScheduler(NoiseScheduleConfig config)
    : config_(std::move(config)), alphas_cumprod_(alphas_cumprod(config_)) {}

const std::vector<int64_t>& DdimScheduler::set_timesteps(int64_t n) {
  const int64_t N = config_.num_train_timesteps;
  if (n < 1 || n > N) throw std::invalid_argument("DDIM: num_inference_steps must be in [1, num_train_timesteps]");
  num_inference_steps_ = n;
  timesteps_.clear();
  switch (config_.timestep_spacing) {
    case TimestepSpacing::linspace:
      for (int64_t i = n - 1; i >= 0; --i)
        timesteps_.push_back(static_cast<int64_t>(std::nearbyint(n == 1 ? 0.0 : double(N - 1) * i / (n - 1))));
      break;
    case TimestepSpacing::leading: {
      const int64_t ratio = N / n;
      for (int64_t i = n - 1; i >= 0; --i) timesteps_.push_back(i * ratio + config_.steps_offset);
      break;
    }
    case TimestepSpacing::trailing: {
      const double ratio = double(N) / n;
      for (int64_t i = 0; i < n; ++i) timesteps_.push_back(static_cast<int64_t>(std::nearbyint(N - i * ratio)) - 1);
      break;
    }
  }
  for (int64_t t : timesteps_)
    if (t < 0 || t >= N)
      throw std::invalid_argument("DDIM: timestep " + std::to_string(t) + " (steps_offset " +
                                  std::to_string(config_.steps_offset) + ") is outside [0, num_train_timesteps)");
  return timesteps_;
}

torch::Tensor DdimScheduler::step(const torch::Tensor& model_output, int64_t t, const torch::Tensor& sample) {
  if (num_inference_steps_ == 0) throw internal_error("DDIM: set_timesteps was not called");
  const int64_t N = config_.num_train_timesteps;
  if (t < 0 || t >= N) throw std::invalid_argument("DDIM: timestep out of range");
  const int64_t prev = t - N / num_inference_steps_;
  // The reference keeps ᾱ in float32; so do we, for the scalar coefficients.
  const float a_t = static_cast<float>(alphas_cumprod_[t]);
  const float a_prev = prev >= 0 ? static_cast<float>(alphas_cumprod_[prev]) : 1.0f;
  const float b_t = 1.0f - a_t;
  const double sa = std::sqrt(a_t), sb = std::sqrt(b_t);
  torch::Tensor x0, eps;
  if (config_.prediction_type == PredictionType::epsilon) {
    x0 = (sample - sb * model_output) / sa;  // ᾱ_t = 0 (zero terminal SNR) gives ±inf, as in the reference
    eps = model_output;
  } else {
    x0 = sa * sample - sb * model_output;
    eps = sa * model_output + sb * sample;
  }
  return std::sqrt(a_prev) * x0 + std::sqrt(1.0f - a_prev) * eps;
}

}  // namespace auhead::render::diffusion
