#include "audio2au/alm/lora_merge.h"

#include <torch/torch.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "auhead/error.h"
#include "core/json_text.h"
#include "checkpoint/safetensors.h"

namespace auhead::audio2au::alm {

namespace fs = std::filesystem;

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
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
  const LoraAdapterConfig cfg = read_lora_adapter_config(config_file);

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
    const double rank = cfg.rank_of(module), lora_alpha = cfg.alpha_of(module);
    const double scale = cfg.rslora ? lora_alpha / std::sqrt(rank) : lora_alpha / rank;
    torch::Tensor delta = torch::matmul(b.to(torch::kDouble), a.to(torch::kDouble)) * scale;
    w->add_(delta.to(w->scalar_type()));
    ++merged;
  }
  return merged;
}

}  // namespace auhead::audio2au::alm
