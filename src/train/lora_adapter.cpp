#include "train/lora_adapter.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "audio2au/alm/lora_linear.h"
#include "audio2au/alm/lora_merge.h"
#include "auhead/error.h"
#include "core/atomic_file.h"
#include "core/json_text.h"
#include "checkpoint/safetensors.h"

namespace auhead::train {

namespace fs = std::filesystem;
using audio2au::alm::LoraLinearImpl;

namespace {

const std::string kPeftPrefix = "base_model.model.";

std::string last_component(const std::string& name) {
  const auto dot = name.rfind('.');
  return dot == std::string::npos ? name : name.substr(dot + 1);
}

// Every LoRA-capable layer of the model, by its full module name.
std::vector<std::pair<std::string, LoraLinearImpl*>> lora_layers(torch::nn::Module& model) {
  std::vector<std::pair<std::string, LoraLinearImpl*>> out;
  for (const auto& item : model.named_modules("", /*include_self=*/false))
    if (auto* layer = item.value()->as<LoraLinearImpl>()) out.emplace_back(item.key(), layer);
  return out;
}

const std::vector<std::string>& known_targets() {
  static const std::vector<std::string> names{"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"};
  return names;
}

}  // namespace

double LoraSpec::scale() const { return rslora ? alpha / std::sqrt(double(r)) : alpha / double(r); }

void check_lora_spec(const LoraSpec& spec) {
  if (spec.r < 1 || spec.r > 4096) throw usage_error("--lora-r must be an integer in [1, 4096]");
  if (!std::isfinite(spec.alpha) || std::abs(spec.alpha) > 1e6) throw usage_error("--lora-alpha must be in [-1e6, 1e6]");
  if (!(spec.dropout >= 0 && spec.dropout < 1)) throw usage_error("--lora-dropout must be in [0, 1)");
  if (spec.targets.empty()) throw usage_error("--target needs at least one module name");
  for (const auto& t : spec.targets)
    if (std::find(known_targets().begin(), known_targets().end(), t) == known_targets().end())
      throw usage_error("--target: unknown module '" + t +
                        "' (q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj)");
}

std::vector<std::string> attach_lora(torch::nn::Module& model, const LoraSpec& spec, const std::string& prefix) {
  check_lora_spec(spec);
  std::vector<std::string> attached;
  for (auto& [name, layer] : lora_layers(model)) {
    if (name.rfind(prefix, 0) != 0) continue;
    const std::string leaf = last_component(name);
    if (std::find(spec.targets.begin(), spec.targets.end(), leaf) == spec.targets.end()) continue;
    layer->attach_lora(spec.r, spec.scale(), spec.dropout);
    attached.push_back(name);
  }
  if (attached.empty()) throw usage_error("no layer of the model matches --target");
  return attached;
}

LoraSpec load_lora_adapter(torch::nn::Module& model, const fs::path& dir) {
  const fs::path config_file = dir / "adapter_config.json", weights_file = dir / "adapter_model.safetensors";
  if (!fs::exists(config_file)) throw input_error(config_file.string(), "no such file (the LoRA adapter's config)");
  if (!fs::exists(weights_file)) throw input_error(weights_file.string(), "no such file (the LoRA adapter's weights)");
  const audio2au::alm::LoraAdapterConfig cfg = audio2au::alm::read_lora_adapter_config(config_file);
  const nlohmann::json raw = read_json_object_file(config_file);
  LoraSpec spec;
  spec.r = int64_t(cfg.r);
  spec.alpha = cfg.alpha;
  spec.rslora = cfg.rslora;
  spec.dropout = config_number(raw, "lora_dropout", 0, 0, 0.999, config_file.string());
  spec.targets.clear();

  std::map<std::string, LoraLinearImpl*> layers;
  for (auto& [name, layer] : lora_layers(model)) layers[name] = layer;
  std::map<std::string, std::pair<torch::Tensor, torch::Tensor>> pairs;
  const std::string file = weights_file.string();
  for (const auto& [key, tensor] : load_safetensors(weights_file, /*copy=*/true)) {
    std::string k = key.rfind(kPeftPrefix, 0) == 0 ? key.substr(kPeftPrefix.size()) : key;
    for (const std::string tag : {".lora_A.weight", ".lora_B.weight", ".lora_A.default.weight", ".lora_B.default.weight"}) {
      if (k.size() <= tag.size() || k.compare(k.size() - tag.size(), tag.size(), tag) != 0) continue;
      auto& slot = pairs[k.substr(0, k.size() - tag.size())];
      (tag[6] == 'A' ? slot.first : slot.second) = tensor;
      k.clear();
      break;
    }
    if (!k.empty()) throw input_error(file, "unexpected key " + key + " (a LoRA adapter holds lora_A/lora_B weights)");
  }
  if (pairs.empty()) throw input_error(file, "no LoRA matrices");
  torch::NoGradGuard no_grad;
  for (const auto& [module, ab] : pairs) {
    const auto& [a, b] = ab;
    auto it = layers.find(module);
    if (it == layers.end()) throw input_error(file, module + ": no LoRA-capable linear layer of that name in the model");
    if (!a.defined() || !b.defined()) throw input_error(file, module + ": lora_A and lora_B must both be present");
    LoraLinearImpl* layer = it->second;
    const auto& w = layer->weight;
    if (a.dim() != 2 || b.dim() != 2 || a.size(1) != w.size(1) || b.size(0) != w.size(0) || a.size(0) != b.size(1) ||
        a.size(0) < 1)
      throw input_error(file, module + ": LoRA shapes do not fit the layer");
    const double r = cfg.rank_of(module), alpha = cfg.alpha_of(module);
    if (std::llround(r) != a.size(0)) throw input_error(file, module + ": the rank of lora_A differs from the config's r");
    layer->attach_lora(a.size(0), cfg.rslora ? alpha / std::sqrt(r) : alpha / r, spec.dropout);
    layer->lora_A->weight.copy_(a.to(w.scalar_type()));
    layer->lora_B->weight.copy_(b.to(w.scalar_type()));
    const std::string leaf = last_component(module);
    if (std::find(spec.targets.begin(), spec.targets.end(), leaf) == spec.targets.end()) spec.targets.push_back(leaf);
  }
  return spec;
}

std::vector<std::pair<std::string, torch::Tensor>> lora_parameters(torch::nn::Module& model) {
  for (auto& p : model.parameters()) p.set_requires_grad(false);
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (auto& [name, layer] : lora_layers(model)) {
    if (!layer->has_lora()) continue;
    for (auto [which, lin] : {std::pair{"lora_A", layer->lora_A}, std::pair{"lora_B", layer->lora_B}}) {
      lin->weight.set_requires_grad(true);
      out.emplace_back(kPeftPrefix + name + "." + which + ".weight", lin->weight);
    }
  }
  return out;
}

void save_peft_adapter(torch::nn::Module& model, const LoraSpec& spec, const fs::path& dir,
                       const std::string& base_model, torch::ScalarType dtype) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw output_error(dir.string(), "cannot create the adapter folder: " + ec.message());
  TensorMap tensors;
  std::vector<std::string> targets;
  for (auto& [name, layer] : lora_layers(model)) {
    if (!layer->has_lora()) continue;
    tensors[kPeftPrefix + name + ".lora_A.weight"] = layer->lora_A->weight.detach().to(dtype).contiguous();
    tensors[kPeftPrefix + name + ".lora_B.weight"] = layer->lora_B->weight.detach().to(dtype).contiguous();
    const std::string leaf = last_component(name);
    if (std::find(targets.begin(), targets.end(), leaf) == targets.end()) targets.push_back(leaf);
  }
  if (tensors.empty()) throw usage_error("the model carries no LoRA adapter to save");
  save_safetensors(dir / "adapter_model.safetensors", tensors, {{"format", "pt"}});
  // PEFT's LoraConfig fields, so that PeftModel.from_pretrained reads it unchanged.
  nlohmann::json cfg = {{"peft_type", "LORA"},
                        {"task_type", "CAUSAL_LM"},
                        {"base_model_name_or_path", base_model},
                        {"r", spec.r},
                        {"lora_alpha", spec.alpha},
                        {"lora_dropout", spec.dropout},
                        {"target_modules", targets},
                        {"bias", "none"},
                        {"fan_in_fan_out", false},
                        {"use_rslora", spec.rslora},
                        {"use_dora", false},
                        {"inference_mode", true},
                        {"init_lora_weights", true},
                        {"modules_to_save", nullptr},
                        {"layers_to_transform", nullptr},
                        {"layers_pattern", nullptr},
                        {"rank_pattern", nlohmann::json::object()},
                        {"alpha_pattern", nlohmann::json::object()},
                        {"revision", nullptr}};
  write_text_file_atomic(dir / "adapter_config.json", cfg.dump(2) + "\n");
}

}  // namespace auhead::train
