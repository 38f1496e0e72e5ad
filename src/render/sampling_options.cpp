#include "auhead/sampling_options.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "auhead/error.h"
#include "render/sampling_limits.h"

namespace auhead {

namespace {

std::optional<SamplingProblem> scale_problem(const char* key, const std::optional<double>& value) {
  if (!value || (std::isfinite(*value) && *value >= 0)) return std::nullopt;
  char text[64];
  std::snprintf(text, sizeof text, "%g", *value);
  return SamplingProblem{key, std::string("must be a number >= 0, got ") + text};
}

}  // namespace

std::optional<SamplingProblem> sampling_problem(const SamplingOptions& o) {
  if (o.steps && (*o.steps < 1 || *o.steps > 1000))
    return SamplingProblem{"steps", "must be in [1, 1000], got " + std::to_string(*o.steps)};
  if (o.sampler && *o.sampler != "ddim" && *o.sampler != "dpmsolver++")
    return SamplingProblem{"sampler", "must be ddim or dpmsolver++, got '" + *o.sampler + "'"};
  if (auto p = scale_problem("guidance_reference", o.guidance_reference)) return p;
  if (auto p = scale_problem("guidance_au", o.guidance_au)) return p;
  if (o.device && *o.device != "auto" && *o.device != "cpu" && *o.device != "cuda")
    return SamplingProblem{"device", "must be auto, cpu or cuda, got '" + *o.device + "'"};
  return std::nullopt;
}

std::string sampling_option_name(const std::string& key) {
  std::string name = "--" + key;
  std::replace(name.begin(), name.end(), '_', '-');
  return name;
}

void check_sampling_options(const SamplingOptions& o, const std::string& renderer) {
  if (renderer != "diffusion" && o.any()) {
    const char* first = o.steps ? "steps" : o.sampler ? "sampler" : o.guidance_reference ? "guidance_reference"
                                                               : o.guidance_au ? "guidance_au" : "device";
    throw usage_error(sampling_option_name(first) + " applies to --renderer diffusion");
  }
  if (auto p = sampling_problem(o)) throw usage_error(sampling_option_name(p->key) + " " + p->problem);
}

}  // namespace auhead
