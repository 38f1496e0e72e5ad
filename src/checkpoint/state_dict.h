// Loads a state dict into a torch::nn::Module by exact key, so that a public checkpoint maps one-to-one
// onto our modules: missing, unexpected and mis-shaped keys are errors naming the key and the file.
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <string>
#include <vector>

#include "checkpoint/safetensors.h"

namespace auhead {

struct StateDictOptions {
  // Parameters under these prefixes may be absent from the file; they keep their initial values
  // (parts that start fresh, such as AU adapters). A prefix matches whole key segments ("au" matches
  // "au.x" and "au", not "aux").
  std::vector<std::string> allow_missing_prefixes;
  // File keys under these prefixes are skipped instead of being reported as unexpected.
  std::vector<std::string> ignore_unexpected_prefixes;
};

// Copies every parameter and buffer of `module` from `state` (converting to the module's dtype and
// device). `source` names the file in error messages. Throws auhead::Error (bad input) on missing
// keys, unexpected keys and shape mismatches, listing the keys.
void load_state_dict(torch::nn::Module& module, const TensorMap& state, const std::string& source,
                     const StateDictOptions& options = {});

// Reads the file (safetensors or torch zip, by extension) and loads it as above.
void load_state_dict(torch::nn::Module& module, const std::filesystem::path& file,
                     const StateDictOptions& options = {});

// Every parameter and buffer of the module by its full dotted name.
TensorMap module_state(const torch::nn::Module& module);

}  // namespace auhead
