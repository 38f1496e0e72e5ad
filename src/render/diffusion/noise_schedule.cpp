#include "render/diffusion/noise_schedule.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include "auhead/error.h"
#include "core/json_text.h"

namespace auhead::render::diffusion {

NoiseScheduleConfig NoiseScheduleConfig::from_json(const nlohmann::json& j, const std::string& source) {
  NoiseScheduleConfig c;
  if (!j.is_object()) throw input_error(source, "bad scheduler config: not an object");
  try {
    c.num_train_timesteps = config_int(j, "num_train_timesteps", c.num_train_timesteps, 2, 100000, source);
    c.beta_start = config_number(j, "beta_start", c.beta_start, 0, 1, source);
    c.beta_end = config_number(j, "beta_end", c.beta_end, 0, 1, source);
    c.beta_schedule = j.value("beta_schedule", c.beta_schedule);
    c.steps_offset = config_int(j, "steps_offset", c.steps_offset, 0, c.num_train_timesteps - 1, source);
    c.rescale_betas_zero_snr = j.value("rescale_betas_zero_snr", c.rescale_betas_zero_snr);
    const std::string pred = j.value("prediction_type", std::string("epsilon"));
    if (pred == "epsilon") c.prediction_type = PredictionType::epsilon;
    else if (pred == "v_prediction") c.prediction_type = PredictionType::v_prediction;
    else throw input_error(source, "bad scheduler config: unsupported prediction_type '" + pred + "'");
    const std::string spacing = j.value("timestep_spacing", std::string("leading"));
    if (spacing == "leading") c.timestep_spacing = TimestepSpacing::leading;
    else if (spacing == "trailing") c.timestep_spacing = TimestepSpacing::trailing;
    else if (spacing == "linspace") c.timestep_spacing = TimestepSpacing::linspace;
    else throw input_error(source, "bad scheduler config: unsupported timestep_spacing '" + spacing + "'");
  } catch (const nlohmann::json::exception& e) {
    throw input_error(source, std::string("bad scheduler config: ") + e.what());
  }
  if (c.beta_schedule != "linear" && c.beta_schedule != "scaled_linear")
    throw input_error(source, "bad scheduler config: unsupported beta_schedule '" + c.beta_schedule + "'");
  if (!(c.beta_start < 1 && c.beta_end < 1)) throw input_error(source, "bad scheduler config: betas must be below 1");
  return c;
}

std::vector<double> alphas_cumprod(const NoiseScheduleConfig& c) {
  const auto f32 = torch::TensorOptions().dtype(torch::kFloat);
  torch::Tensor betas;
  if (c.beta_schedule == "linear") {
    betas = torch::linspace(c.beta_start, c.beta_end, c.num_train_timesteps, f32);
  } else {
    betas = torch::linspace(std::sqrt(c.beta_start), std::sqrt(c.beta_end), c.num_train_timesteps, f32).pow(2);
  }
  if (c.rescale_betas_zero_snr) {
    // Shift and scale sqrt(ᾱ) so that its last value is 0 and its first unchanged (Lin et al. 2023).
    torch::Tensor sqrt_ab = torch::cumprod(1.0 - betas, 0).sqrt();
    torch::Tensor first = sqrt_ab[0].clone(), last = sqrt_ab[-1].clone();
    sqrt_ab = (sqrt_ab - last) * (first / (first - last));
    torch::Tensor ab = sqrt_ab.pow(2);
    torch::Tensor alphas = torch::cat({ab.slice(0, 0, 1), ab.slice(0, 1) / ab.slice(0, 0, -1)});
    betas = 1.0 - alphas;
  }
  torch::Tensor ac = torch::cumprod(1.0 - betas, 0).to(torch::kDouble).contiguous();
  return std::vector<double>(ac.data_ptr<double>(), ac.data_ptr<double>() + ac.numel());
}

}  // namespace auhead::render::diffusion
