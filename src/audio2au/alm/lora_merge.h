// PEFT LoRA adapters (adapter_config.json + adapter_model.safetensors) merged into a loaded model's
// linear weights at load time: W += scale * B @ A, scale = lora_alpha / r (or / sqrt(r) with rsLoRA).
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <string>

#include "audio2au/alm/lora_adapter_config.h"

namespace auhead::audio2au::alm {

// Merges every lora_A/lora_B pair of the adapter folder into the parameter "<module>.weight" of
// `model` (keys "base_model.model.<module>.lora_{A,B}[.<adapter>].weight"). Returns how many modules
// were merged. Unsupported adapters (DoRA, fan_in_fan_out, trained biases, modules_to_save) and keys
// naming no parameter or of the wrong shape are input errors naming the file and key.
int merge_peft_lora(torch::nn::Module& model, const std::filesystem::path& adapter_dir);

}  // namespace auhead::audio2au::alm
