// Stage 1 as a handle: load an AU generator once (the phonetic default, or an ALM checkpoint), then
// turn any number of speech clips into AU sequences with per-call emotion, intensity, rate and seed.
//
// Thread safety and ownership: a handle owns its loaded model; calls on one handle run one at a time
// (a second thread waits), so a handle may be shared between threads; separate handles work in
// parallel. Handles move but do not copy. Hooks (run_hooks.h) are per call and used only during it.
#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "auhead/au_edit.h"
#include "auhead/au_sequence.h"
#include "auhead/run_hooks.h"

namespace auhead {

// What is loaded, fixed for the handle's life. Checked when the handle is made (usage errors).
struct AuGeneratorConfig {
  std::string implementation = "phonetic";  // phonetic | alm (or one added with register_au_generator)
  std::string lipsync = "accurate";         // phonetic front end: accurate | fast
  std::filesystem::path model_dir;          // alm checkpoint folder
  std::optional<float> temperature;         // alm sampling; unset: the folder's generation_config.json
  std::optional<int> top_k;
  std::optional<float> top_p;
};

// What one call asks for.
struct AuRequest {
  std::optional<Emotion> emotion;           // none: estimated from the speech
  float emotion_intensity = 0.7f;           // [0, 1], used with `emotion`
  double fps = 25.0;                        // output frame rate, 1 to 120
  uint64_t seed = 0;                        // blinks, idle motion, sampling
  AuEdit edit;                              // applied to the generated sequence
  std::filesystem::path plot;               // also write a PNG chart of the curves (and phones heard)
};

// 16 kHz mono samples in [-1, 1] of any audio file FFmpeg reads (input errors name the file).
std::vector<float> load_audio(const std::filesystem::path& file);

class AuGenerator {
 public:
  // Loads the implementation (an ALM checkpoint: seconds). Errors: usage (unknown implementation,
  // options it does not take, values out of range), unavailable (not in this build), input (model).
  explicit AuGenerator(const AuGeneratorConfig& config = {}, const RunHooks& hooks = {});
  ~AuGenerator();
  AuGenerator(AuGenerator&&) noexcept;
  AuGenerator& operator=(AuGenerator&&) noexcept;

  // `samples`: 16 kHz mono in [-1, 1]; `source` names them in error messages.
  AuSequence generate(std::span<const float> samples, const AuRequest& request = {}, const RunHooks& hooks = {},
                      const std::string& source = "audio") const;
  // Decodes `audio` (any FFmpeg-readable file) first.
  AuSequence generate(const std::filesystem::path& audio, const AuRequest& request = {},
                      const RunHooks& hooks = {}) const;

  const AuGeneratorConfig& config() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The checks that need no file, as usage errors: sampling settings given to another generator than
// alm; a request's frame rate or intensity out of range. The handle makes them; a program can make
// them before any long work.
void check_au_config(const AuGeneratorConfig& config);
void check_au_request(const AuRequest& request);

}  // namespace auhead
