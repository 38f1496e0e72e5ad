#include "audio2au/au_generator.h"

#include <algorithm>
#include <map>

#include "auhead/error.h"

namespace auhead {

namespace {
// Every generator the design names (DESIGN.md §1), so that a missing one is reported as such.
const std::vector<std::string> kKnown{"phonetic", "alm"};

std::map<std::string, AuGeneratorFactory>& registry() {
  static std::map<std::string, AuGeneratorFactory> r;
  return r;
}
}  // namespace

bool register_au_generator(const std::string& name, AuGeneratorFactory factory) {
  registry()[name] = std::move(factory);
  return true;
}

std::vector<std::string> au_generator_names() { return kKnown; }

std::unique_ptr<AuGenerator> make_au_generator(const std::string& name, const AuGeneratorOptions& options) {
  auto it = registry().find(name);
  if (it != registry().end()) return it->second(options);
  if (std::find(kKnown.begin(), kKnown.end(), name) != kKnown.end())
    throw unavailable_error("AU generator '" + name + "' is not available in this build of auhead");
  throw usage_error("unknown AU generator '" + name + "' (valid: phonetic, alm)");
}

}  // namespace auhead
