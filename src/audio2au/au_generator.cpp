#include "audio2au/au_generator.h"

#include "core/named_registry.h"
#include "pipeline/implementations.h"

namespace auhead {

namespace {
NamedRegistry<AuGeneratorFactory>& registry() {
  static NamedRegistry<AuGeneratorFactory> r = [] {
    NamedRegistry<AuGeneratorFactory> built("AU generator", {"phonetic", "alm"});  // docs/design.md §2.2
    for (auto& [name, make] : builtin_au_generators()) built.add(name, std::move(make));
    return built;
  }();
  return r;
}
}  // namespace

bool register_au_generator(const std::string& name, AuGeneratorFactory factory) {
  return registry().add(name, std::move(factory));
}

std::vector<std::string> au_generator_names() { return registry().known(); }

std::unique_ptr<AuGenerator> make_au_generator(const std::string& name, const AuGeneratorOptions& options) {
  return registry().get(name)(options);
}

}  // namespace auhead
