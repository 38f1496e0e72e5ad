#include "audio2au/au_generator.h"

#include "auhead/error.h"
#include "core/named_registry.h"
#include "pipeline/implementations.h"

namespace auhead::audio2au {

namespace {
NamedRegistry<AuGeneratorFactory>& registry() {
  static NamedRegistry<AuGeneratorFactory> r = [] {
    NamedRegistry<AuGeneratorFactory> built("AU generator", {"phonetic", "alm"});  // docs/design.md §2.2
    for (auto& [name, make] : builtin_au_generators()) built.add(name, std::move(make));
    return built;
  }();
  return r;
}
void check(const AuGeneratorOptions& o) {
  if (!(o.fps > 0 && o.fps <= 1000))
    throw usage_error("the AU frame rate must be in (0, 1000] fps, not " + std::to_string(o.fps));
  if (!(o.emotion_intensity >= 0 && o.emotion_intensity <= 1))
    throw usage_error("the emotion intensity must be in [0, 1], not " + std::to_string(o.emotion_intensity));
}
}  // namespace

AuGenerator::AuGenerator(AuGeneratorOptions options) : options_(std::move(options)) { check(options_); }

void AuGenerator::set_call(std::optional<Emotion> emotion, float emotion_intensity, double fps, uint64_t seed) {
  AuGeneratorOptions o = options_;
  o.emotion = emotion;
  o.emotion_intensity = emotion_intensity;
  o.fps = fps;
  o.seed = seed;
  check(o);
  options_ = std::move(o);
}

bool register_au_generator(const std::string& name, AuGeneratorFactory factory) {
  return registry().add(name, std::move(factory));
}

std::vector<std::string> au_generator_names() { return registry().known(); }

std::unique_ptr<AuGenerator> make_au_generator(const std::string& name, const AuGeneratorOptions& options) {
  return registry().get(name)(options);
}

}  // namespace auhead::audio2au
