// Diffusion sampling settings chosen by the caller (the CLI's --steps, --sampler, --guidance-reference,
// --guidance-au, --device): each one given overrides the model folder's render_config.json.
#pragma once
#include <optional>
#include <string>

namespace auhead {

// Field names equal render_config.json's keys; unset fields keep the file's value (or its default).
struct SamplingOptions {
  std::optional<int> steps;                  // denoising steps, 1 to 1000
  std::optional<std::string> sampler;        // ddim | dpmsolver++
  std::optional<double> guidance_reference;  // s_ref >= 0 (identity)
  std::optional<double> guidance_au;         // s_au >= 0 (AU strength)
  std::optional<std::string> device;         // auto | cpu | cuda
  bool any() const { return steps || sampler || guidance_reference || guidance_au || device; }
};

// A usage error naming the option for a value out of range ("--steps must be in [1, 1000], got 0"), or
// for any value given when `renderer` is not "diffusion" ("--steps applies to --renderer diffusion").
void check_sampling_options(const SamplingOptions& options, const std::string& renderer);

}  // namespace auhead
