// The training noise schedule shared by the samplers (diffusers scheduler config: betas, prediction type,
// timestep spacing, zero-terminal-SNR rescaling) and the cumulative alphas computed as diffusers does (fp32).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace auhead::render::diffusion {

enum class PredictionType { epsilon, v_prediction };
enum class TimestepSpacing { leading, trailing, linspace };

struct NoiseScheduleConfig {
  int64_t num_train_timesteps = 1000;
  double beta_start = 0.00085;
  double beta_end = 0.012;
  std::string beta_schedule = "scaled_linear";  // "linear" or "scaled_linear"
  PredictionType prediction_type = PredictionType::epsilon;
  TimestepSpacing timestep_spacing = TimestepSpacing::leading;
  int64_t steps_offset = 0;
  bool rescale_betas_zero_snr = false;

  // Reads the fields above from a diffusers scheduler config object (other fields are ignored);
  // `source` names the file in errors. Unknown schedule, prediction or spacing names are input errors.
  static NoiseScheduleConfig from_json(const nlohmann::json& config, const std::string& source);
};

// ᾱ_t for t = 0 … num_train_timesteps-1, computed in float32 like the reference, widened to double.
std::vector<double> alphas_cumprod(const NoiseScheduleConfig& config);

}  // namespace auhead::render::diffusion
