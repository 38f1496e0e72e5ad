#include "render/diffusion/dpm_solver_scheduler.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>
#include <string>

#include "auhead/error.h"

namespace auhead::render::diffusion {

namespace {
// σ = sqrt((1-ᾱ)/ᾱ) ↦ (α_t, σ_t) of the variance-preserving process; λ = log α_t − log σ_t.
struct AlphaSigma {
  double alpha, sigma, lambda;
};
AlphaSigma alpha_sigma(double sigma) {
  const double a = 1.0 / std::sqrt(sigma * sigma + 1.0);
  const double s = sigma * a;
  return {a, s, std::log(a) - std::log(s)};
}
}  // namespace

DpmSolverScheduler::DpmSolverScheduler(NoiseScheduleConfig config, int solver_order)
    : config_(std::move(config)), order_(solver_order), alphas_cumprod_(alphas_cumprod(config_)) {
  if (order_ != 1 && order_ != 2) throw std::invalid_argument("DPM-Solver++: solver_order must be 1 or 2");
  // Zero terminal SNR makes the last σ infinite; like later diffusers releases, keep it finite.
  if (config_.rescale_betas_zero_snr && !alphas_cumprod_.empty()) alphas_cumprod_.back() = std::ldexp(1.0, -24);
}

const std::vector<int64_t>& DpmSolverScheduler::set_timesteps(int64_t n) {
  const int64_t N = config_.num_train_timesteps;
  if (n < 1 || n > N) throw std::invalid_argument("DPM-Solver++: num_inference_steps must be in [1, num_train_timesteps]");
  timesteps_.clear();
  switch (config_.timestep_spacing) {
    case TimestepSpacing::linspace:
      for (int64_t i = n; i >= 1; --i) timesteps_.push_back(static_cast<int64_t>(std::nearbyint(double(N - 1) * i / n)));
      break;
    case TimestepSpacing::leading: {
      const int64_t ratio = N / (n + 1);
      for (int64_t i = n; i >= 1; --i) timesteps_.push_back(i * ratio + config_.steps_offset);
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
      throw std::invalid_argument("DPM-Solver++: timestep " + std::to_string(t) + " (steps_offset " +
                                  std::to_string(config_.steps_offset) + ") is outside [0, num_train_timesteps)");
  // σ per timestep (float32 like the reference), then the final σ of t = 0.
  auto sigma_of = [&](int64_t t) {
    const float a = static_cast<float>(alphas_cumprod_[t]);
    return static_cast<double>(std::sqrt((1.0f - a) / a));
  };
  sigmas_.clear();
  for (int64_t t : timesteps_) sigmas_.push_back(sigma_of(t));
  sigmas_.push_back(sigma_of(0));
  step_index_ = 0;
  lower_order_nums_ = 0;
  prev_x0_ = torch::Tensor();
  return timesteps_;
}

torch::Tensor DpmSolverScheduler::step(const torch::Tensor& model_output, int64_t t, const torch::Tensor& sample) {
  if (timesteps_.empty()) throw internal_error("DPM-Solver++: set_timesteps was not called");
  if (step_index_ >= timesteps_.size() || timesteps_[step_index_] != t)
    throw internal_error("DPM-Solver++: steps must follow the scheduler's timesteps in order");
  const std::size_t i = step_index_;
  const AlphaSigma s0 = alpha_sigma(sigmas_[i]);
  // The data prediction x0 from the model output.
  torch::Tensor x0 = config_.prediction_type == PredictionType::epsilon
                         ? (sample - s0.sigma * model_output) / s0.alpha
                         : s0.alpha * sample - s0.sigma * model_output;
  const AlphaSigma st = alpha_sigma(sigmas_[i + 1]);
  const double h = st.lambda - s0.lambda;
  const double phi = std::expm1(-h);  // exp(-h) - 1
  const bool lower_order_final = i + 1 == timesteps_.size() && timesteps_.size() < 15;
  torch::Tensor out;
  if (order_ == 1 || lower_order_nums_ < 1 || lower_order_final) {
    out = (st.sigma / s0.sigma) * sample - (st.alpha * phi) * x0;
  } else {
    const AlphaSigma s1 = alpha_sigma(sigmas_[i - 1]);
    const double r0 = (s0.lambda - s1.lambda) / h;
    torch::Tensor d1 = (1.0 / r0) * (x0 - prev_x0_);
    out = (st.sigma / s0.sigma) * sample - (st.alpha * phi) * x0 - (0.5 * st.alpha * phi) * d1;
  }
  prev_x0_ = x0;
  if (lower_order_nums_ < order_) ++lower_order_nums_;
  ++step_index_;
  return out;
}

}  // namespace auhead::render::diffusion
