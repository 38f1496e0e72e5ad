// PEFT LoRA adapters (adapter_config.json + adapter_model.safetensors) merged into a loaded model's
// linear weights at load time: W += scale * B @ A, scale = lora_alpha / r (or / sqrt(r) with rsLoRA).
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <map>
#include <string>

namespace auhead::alm {

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

// Merges every lora_A/lora_B pair of the adapter folder into the parameter "<module>.weight" of
// `model` (keys "base_model.model.<module>.lora_{A,B}[.<adapter>].weight"). Returns how many modules
// were merged. Unsupported adapters (DoRA, fan_in_fan_out, trained biases, modules_to_save) and keys
// naming no parameter or of the wrong shape are input errors naming the file and key.
int merge_peft_lora(torch::nn::Module& model, const std::filesystem::path& adapter_dir);

}  // namespace auhead::alm
