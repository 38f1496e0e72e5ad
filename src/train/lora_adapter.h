// LoRA adapters on a loaded model for training: attach new ones to chosen projections, load a PEFT
// adapter folder unmerged (to go on training it), list the trainable matrices under PEFT's key names,
// and save them as a PEFT adapter (adapter_config.json + adapter_model.safetensors) that
// `--au-model` and Hugging Face PEFT both load.
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "auhead/training.h"  // LoraSpec

namespace auhead::train {

// Attaches a fresh adapter to every LoRA-capable linear layer (audio2au::alm::LoraLinear) under `prefix` whose
// name ends in one of spec.targets. Returns the module names, in order; none is a usage error.
std::vector<std::string> attach_lora(torch::nn::Module& model, const LoraSpec& spec,
                                     const std::string& prefix = "language_model.");

// Attaches the adapter of a PEFT folder unmerged (ranks from its matrices, scale from its config).
// Keys that name no LoRA-capable layer, or of the wrong shape, are input errors naming the file.
LoraSpec load_lora_adapter(torch::nn::Module& model, const std::filesystem::path& adapter_dir);

// Freezes every parameter of `model` and makes the LoRA matrices trainable; returns them as
// (PEFT key "base_model.model.<module>.lora_A.weight", tensor), in module order.
std::vector<std::pair<std::string, torch::Tensor>> lora_parameters(torch::nn::Module& model);

// Writes adapter_model.safetensors (float32, or `dtype`) and adapter_config.json into `dir`
// (created), each file atomically.
void save_peft_adapter(torch::nn::Module& model, const LoraSpec& spec, const std::filesystem::path& dir,
                       const std::string& base_model, torch::ScalarType dtype = torch::kFloat);

}  // namespace auhead::train
