// Stage 1 interface inside the library: speech (16 kHz mono) → AU sequence. Implementations
// (phonetic, alm) are listed in pipeline/implementations.cpp; the public handle auhead::AuGenerator
// (include/auhead/au_generator.h) loads one and runs it many times.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "auhead/au_plot.h"
#include "auhead/au_sequence.h"

namespace auhead::audio2au {

struct AuGeneratorOptions {
  std::optional<Emotion> emotion;           // none: the generator estimates it
  float emotion_intensity = 0.7f;           // used with `emotion`
  double fps = 25.0;                        // output frame rate
  uint64_t seed = 0;                        // blinks, idle motion, sampling
  std::string lipsync = "accurate";         // phonetic front end: accurate | fast
  std::filesystem::path model_dir;          // alm: checkpoint folder
  // alm sampling; unset: the model folder's generation_config.json, else greedy
  std::optional<float> temperature;         // 0: greedy
  std::optional<int> top_k;                 // 0: off
  std::optional<float> top_p;               // 1: off
};

class AuGenerator {
 public:
  // Checks the options every implementation shares (usage errors): fps in (0, 1000], intensity in [0, 1].
  explicit AuGenerator(AuGeneratorOptions options);
  virtual ~AuGenerator() = default;
  // The per-call settings of a loaded generator, for the next generate(): what it leaves alone
  // (lip-sync front end, model, sampling) is what was loaded. Checked as the constructor checks them.
  void set_call(std::optional<Emotion> emotion, float emotion_intensity, double fps, uint64_t seed);
  const AuGeneratorOptions& options() const { return options_; }
  // `samples` are 16 kHz mono floats in [-1, 1]; `source` names the audio in error messages.
  virtual AuSequence generate(std::span<const float> samples, const std::string& source) = 0;
  // What the last generate() heard, for plots (the phonetic generator's phones); may be empty.
  virtual std::vector<PhoneMark> timeline() const { return {}; }

 protected:
  AuGeneratorOptions options_;
};

using AuGeneratorFactory = std::function<std::unique_ptr<AuGenerator>(const AuGeneratorOptions&)>;

// Adds (or replaces) an implementation at run time, e.g. a program's own generator; call it
// explicitly (the built-in ones are listed in pipeline/implementations.cpp).
bool register_au_generator(const std::string& name, AuGeneratorFactory factory);
// The known names, and whether this build has each.
std::vector<std::string> au_generator_names();
// Throws a usage error for an unknown name, an unavailable error for a known one not in this build.
std::unique_ptr<AuGenerator> make_au_generator(const std::string& name, const AuGeneratorOptions& options);

}  // namespace auhead::audio2au
