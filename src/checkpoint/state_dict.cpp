#include "checkpoint/state_dict.h"

#include <torch/torch.h>

#include <sstream>

#include "auhead/error.h"
#include "checkpoint/torch_checkpoint.h"

namespace auhead {

namespace {

bool under_prefix(const std::string& key, const std::vector<std::string>& prefixes) {
  for (const auto& p : prefixes) {
    if (p.empty()) return true;
    if (key.compare(0, p.size(), p) == 0 && (key.size() == p.size() || key[p.size()] == '.' || p.back() == '.'))
      return true;
  }
  return false;
}

std::string shape_string(torch::IntArrayRef s) {
  std::ostringstream os;
  os << "[";
  for (std::size_t i = 0; i < s.size(); ++i) os << (i ? ", " : "") << s[i];
  os << "]";
  return os.str();
}

std::string key_list(const std::vector<std::string>& keys) {
  constexpr std::size_t kShown = 8;
  std::string out;
  for (std::size_t i = 0; i < keys.size() && i < kShown; ++i) out += (i ? ", " : "") + ("'" + keys[i] + "'");
  if (keys.size() > kShown) out += " and " + std::to_string(keys.size() - kShown) + " more";
  return out;
}

}  // namespace

TensorMap module_state(const torch::nn::Module& module) {
  TensorMap out;
  for (const auto& p : module.named_parameters(true)) out[p.key()] = p.value();
  for (const auto& b : module.named_buffers(true)) out[b.key()] = b.value();
  return out;
}

void load_state_dict(torch::nn::Module& module, const TensorMap& state, const std::string& source,
                     const StateDictOptions& options) {
  TensorMap target = module_state(module);
  std::vector<std::string> missing, unexpected;
  for (const auto& [key, t] : target)
    if (!state.count(key) && !under_prefix(key, options.allow_missing_prefixes)) missing.push_back(key);
  for (const auto& [key, t] : state)
    if (!target.count(key) && !under_prefix(key, options.ignore_unexpected_prefixes)) unexpected.push_back(key);
  if (!missing.empty() && !unexpected.empty())
    throw input_error(source, "state dict does not match the model: missing keys " + key_list(missing) +
                                  "; unexpected keys " + key_list(unexpected));
  if (!missing.empty()) throw input_error(source, "state dict lacks keys " + key_list(missing));
  if (!unexpected.empty()) throw input_error(source, "state dict has unexpected keys " + key_list(unexpected));
  for (const auto& [key, dst] : target) {
    auto it = state.find(key);
    if (it == state.end()) continue;
    if (it->second.sizes() != dst.sizes())
      throw input_error(source, "key '" + key + "' has shape " + shape_string(it->second.sizes()) +
                                    " in the file but " + shape_string(dst.sizes()) + " in the model");
  }
  torch::NoGradGuard no_grad;
  for (auto& [key, dst] : target) {
    auto it = state.find(key);
    if (it != state.end()) dst.copy_(it->second);
  }
}

void load_state_dict(torch::nn::Module& module, const std::filesystem::path& file, const StateDictOptions& options) {
  load_state_dict(module, load_state_dict_file(file), file.string(), options);
}

}  // namespace auhead
