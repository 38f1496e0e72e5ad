// Implementations of a stage, found by name. The design's known names are listed up front, so that
// asking for one this build lacks is reported as "not available" rather than "unknown".
#pragma once
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "auhead/error.h"

namespace auhead {

template <class Factory>
class NamedRegistry {
 public:
  NamedRegistry(std::string kind, std::vector<std::string> known) : kind_(std::move(kind)), known_(std::move(known)) {}

  bool add(const std::string& name, Factory factory) {
    factories_[name] = std::move(factory);
    return true;
  }
  const std::vector<std::string>& known() const { return known_; }
  bool has(const std::string& name) const { return factories_.count(name) > 0; }

  const Factory& get(const std::string& name) const {
    auto it = factories_.find(name);
    if (it != factories_.end()) return it->second;
    if (std::find(known_.begin(), known_.end(), name) != known_.end())
      throw unavailable_error(kind_ + " '" + name + "' is not available in this build of auhead");
    std::string valid;
    for (const auto& k : known_) valid += (valid.empty() ? "" : ", ") + k;
    throw usage_error("unknown " + kind_ + " '" + name + "' (valid: " + valid + ")");
  }

 private:
  std::string kind_;
  std::vector<std::string> known_;
  std::map<std::string, Factory> factories_;
};

}  // namespace auhead
