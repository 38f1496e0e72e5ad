#include "audio2au/alm/lora_adapter_config.h"

#include <nlohmann/json.hpp>

#include "auhead/error.h"
#include "core/json_text.h"

namespace auhead::audio2au::alm {

namespace fs = std::filesystem;

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// PEFT matches rank_pattern / alpha_pattern keys against the end of the module name.
double pattern_value(const std::map<std::string, double>& patterns, const std::string& module, double fallback) {
  for (const auto& [key, value] : patterns)
    if (module == key || ends_with(module, "." + key)) return value;
  return fallback;
}

// rank_pattern / alpha_pattern: module name -> a number in [lo, hi] (core/json_text.h's config_number).
std::map<std::string, double> read_pattern(const nlohmann::json& cfg, const std::string& key, double lo, double hi,
                                           const std::string& file) {
  std::map<std::string, double> out;
  if (!cfg.contains(key) || cfg[key].is_null()) return out;
  if (!cfg[key].is_object()) throw input_error(file, "bad adapter config: " + key + " must be an object");
  for (const auto& [module, value] : cfg[key].items())
    out[module] = config_number(cfg[key], module, 0, lo, hi, file, key + ".");
  return out;
}

}  // namespace

double LoraAdapterConfig::rank_of(const std::string& module) const { return pattern_value(rank_pattern, module, r); }
double LoraAdapterConfig::alpha_of(const std::string& module) const { return pattern_value(alpha_pattern, module, alpha); }

LoraAdapterConfig read_lora_adapter_config(const fs::path& config_file) {
  const std::string file = config_file.string();
  const nlohmann::json cfg = read_json_object_file(config_file);
  LoraAdapterConfig c;
  constexpr double kMaxRank = 65536, kMaxAlpha = 1e6;
  try {
    if (cfg.value("peft_type", std::string("LORA")) != "LORA")
      throw input_error(file, "peft_type '" + cfg.value("peft_type", std::string()) + "' is not LORA");
    if (!cfg.contains("r")) throw input_error(file, "bad adapter config: no r (the LoRA rank)");
    c.r = config_number(cfg, "r", 0, 0, kMaxRank, file);
    if (c.r <= 0) throw input_error(file, "r must be positive");
    c.alpha = config_number(cfg, "lora_alpha", c.r, -kMaxAlpha, kMaxAlpha, file);
    c.rslora = cfg.value("use_rslora", false);
    if (cfg.value("use_dora", false)) throw input_error(file, "DoRA adapters are not supported");
    if (cfg.value("fan_in_fan_out", false)) throw input_error(file, "fan_in_fan_out adapters are not supported");
    if (cfg.value("bias", std::string("none")) != "none")
      throw input_error(file, "adapters with trained biases are not supported");
    if (cfg.contains("modules_to_save") && !cfg["modules_to_save"].is_null() && !cfg["modules_to_save"].empty())
      throw input_error(file, "modules_to_save is not supported");
    c.rank_pattern = read_pattern(cfg, "rank_pattern", 0, kMaxRank, file);
    for (const auto& [module, rank] : c.rank_pattern)
      if (rank <= 0) throw input_error(file, "bad adapter config: rank_pattern." + module + " must be positive");
    c.alpha_pattern = read_pattern(cfg, "alpha_pattern", -kMaxAlpha, kMaxAlpha, file);
  } catch (const nlohmann::json::exception& e) {
    throw input_error(file, std::string("bad adapter config: ") + e.what());
  }
  return c;
}

}  // namespace auhead::audio2au::alm
