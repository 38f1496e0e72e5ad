#include "audio2au/alm/lora_merge.h"

#include <torch/torch.h>

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "auhead/error.h"
#include "core/json_text.h"
#include "core/safetensors.h"

namespace auhead::alm {

namespace fs = std::filesystem;

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// PEFT matches rank_pattern / alpha_pattern keys against the end of the module name.
template <class T>
T pattern_value(const nlohmann::json& patterns, const std::string& module, T fallback) {
  if (!patterns.is_object()) return fallback;
  for (const auto& [key, value] : patterns.items())
    if (module == key || ends_with(module, "." + key)) return value.template get<T>();
  return fallback;
}

// "base_model.model.x.y.lora_A.weight" or "...lora_A.default.weight" -> ("x.y", 'A').
bool split_key(const std::string& key, std::string& module, char& which) {
  static const std::string prefix = "base_model.model.";
  std::string k = key.rfind(prefix, 0) == 0 ? key.substr(prefix.size()) : key;
  for (char w : {'A', 'B'}) {
    const std::string tag = std::string(".lora_") + w + ".";
    const auto pos = k.rfind(tag);
    if (pos == std::string::npos || !ends_with(k, ".weight")) continue;
    module = k.substr(0, pos);
    which = w;
    return true;
  }
  return false;
}

}  // namespace

int merge_peft_lora(torch::nn::Module& model, const fs::path& dir) {
  const fs::path config_file = dir / "adapter_config.json", weights_file = dir / "adapter_model.safetensors";
  if (!fs::exists(config_file)) throw input_error(config_file.string(), "no such file (the LoRA adapter's config)");
  if (!fs::exists(weights_file)) throw input_error(weights_file.string(), "no such file (the LoRA adapter's weights)");
  const nlohmann::json cfg = read_json_object_file(config_file);
  double r = 0, alpha = 0;
  bool rslora = false;
  try {
    if (cfg.value("peft_type", std::string("LORA")) != "LORA")
      throw input_error(config_file.string(), "peft_type '" + cfg.value("peft_type", std::string()) + "' is not LORA");
    r = cfg.at("r").get<double>();
    alpha = cfg.value("lora_alpha", r);
    rslora = cfg.value("use_rslora", false);
    if (cfg.value("use_dora", false)) throw input_error(config_file.string(), "DoRA adapters are not supported");
    if (cfg.value("fan_in_fan_out", false)) throw input_error(config_file.string(), "fan_in_fan_out adapters are not supported");
    if (cfg.value("bias", std::string("none")) != "none")
      throw input_error(config_file.string(), "adapters with trained biases are not supported");
    if (cfg.contains("modules_to_save") && !cfg["modules_to_save"].is_null() && !cfg["modules_to_save"].empty())
      throw input_error(config_file.string(), "modules_to_save is not supported");
  } catch (const nlohmann::json::exception& e) {
    throw input_error(config_file.string(), std::string("bad adapter config: ") + e.what());
  }
  if (r <= 0) throw input_error(config_file.string(), "r must be positive");

  std::map<std::string, std::pair<torch::Tensor, torch::Tensor>> pairs;  // module -> (A, B)
  for (const auto& [key, tensor] : load_safetensors(weights_file)) {
    std::string module;
    char which = 0;
    if (!split_key(key, module, which)) throw input_error(weights_file.string(), "unexpected key " + key);
    (which == 'A' ? pairs[module].first : pairs[module].second) = tensor;
  }
  auto params = model.named_parameters(/*recurse=*/true);
  torch::NoGradGuard no_grad;
  int merged = 0;
  for (const auto& [module, ab] : pairs) {
    const auto& [a, b] = ab;
    if (!a.defined() || !b.defined())
      throw input_error(weights_file.string(), module + ": lora_A and lora_B must both be present");
    torch::Tensor* w = params.find(module + ".weight");
    if (!w) throw input_error(weights_file.string(), module + ": no such linear weight in the model");
    if (w->dim() != 2 || a.dim() != 2 || b.dim() != 2 || a.size(1) != w->size(1) || b.size(0) != w->size(0) ||
        a.size(0) != b.size(1))
      throw input_error(weights_file.string(), module + ": LoRA shapes do not fit the weight");
    const double rank = pattern_value<double>(cfg.value("rank_pattern", nlohmann::json()), module, r);
    const double lora_alpha = pattern_value<double>(cfg.value("alpha_pattern", nlohmann::json()), module, alpha);
    const double scale = rslora ? lora_alpha / std::sqrt(rank) : lora_alpha / rank;
    torch::Tensor delta = torch::matmul(b.to(torch::kDouble), a.to(torch::kDouble)) * scale;
    w->add_(delta.to(w->scalar_type()));
    ++merged;
  }
  return merged;
}

}  // namespace auhead::alm
