// adapter_config.json of a PEFT LoRA adapter: what merging and training need of it, read and checked.
#pragma once
#include <filesystem>
#include <map>
#include <string>

namespace auhead::audio2au::alm {

// What merging needs of adapter_config.json: the rank and alpha, rsLoRA, and PEFT's per-module
// rank_pattern / alpha_pattern (keys matched against the end of a module's name).
struct LoraAdapterConfig {
  double r = 0;
  double alpha = 0;
  bool rslora = false;
  std::map<std::string, double> rank_pattern, alpha_pattern;
  double rank_of(const std::string& module) const;
  double alpha_of(const std::string& module) const;
};
// Reads and checks adapter_config.json: r (and every rank_pattern value) a number in (0, 65536],
// lora_alpha (and alpha_pattern values) in [-1e6, 1e6]; unsupported kinds (DoRA, fan_in_fan_out,
// trained biases, modules_to_save, a peft_type other than LORA) and malformed values are input errors
// naming the file.
LoraAdapterConfig read_lora_adapter_config(const std::filesystem::path& config_file);

}  // namespace auhead::audio2au::alm
