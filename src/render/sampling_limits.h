// The valid values of the diffusion sampling settings, kept in one place for the command line
// (check_sampling_options) and the model folder's render_config.json.
#pragma once
#include <optional>
#include <string>

#include "auhead/sampling_options.h"

namespace auhead {

struct SamplingProblem {
  std::string key;      // render_config.json's key ("steps"); the option is "--" + key with '-' for '_'
  std::string problem;  // "must be in [1, 1000], got 0"
};

// The first set value of `options` that is out of range, or nullopt when all are valid.
std::optional<SamplingProblem> sampling_problem(const SamplingOptions& options);

// "--guidance-reference" for "guidance_reference".
std::string sampling_option_name(const std::string& key);

}  // namespace auhead
