// The public Stage 1 handle (include/auhead/au_generator.h) over the library's AU generators.
#include <mutex>

#include "audio2au/au_generator.h"
#include "auhead/au_generator.h"
#include "auhead/error.h"
#include "core/atomic_file.h"
#include "core/library_messages.h"
#include "core/run_context.h"
#include "media/audio_decoder.h"

namespace auhead {

struct AuGenerator::Impl {
  AuGeneratorConfig config;
  std::unique_ptr<audio2au::AuGenerator> generator;
  std::mutex mutex;
};

std::vector<float> load_audio(const std::filesystem::path& file) { return media::decode_audio(file).samples; }

void check_au_config(const AuGeneratorConfig& c) {
  if (c.implementation != "alm")
    for (const auto& [given, name] : {std::pair{c.temperature.has_value(), "--temperature"},
                                      std::pair{c.top_k.has_value(), "--top-k"}, std::pair{c.top_p.has_value(), "--top-p"}})
      if (given) throw usage_error(std::string(name) + " applies to --au-generator alm");
}

void check_au_request(const AuRequest& r) {
  if (!(r.fps >= 1 && r.fps <= 120)) throw usage_error("--fps must be between 1 and 120");
  if (!(r.emotion_intensity >= 0 && r.emotion_intensity <= 1))
    throw usage_error("--emotion-intensity must be in [0, 1], got " + std::to_string(r.emotion_intensity));
}

AuGenerator::AuGenerator(const AuGeneratorConfig& config, const RunHooks& hooks) : impl_(std::make_unique<Impl>()) {
  route_library_messages();
  RunScope scope(hooks);
  check_au_config(config);
  impl_->config = config;
  audio2au::AuGeneratorOptions o;
  o.lipsync = config.lipsync;
  o.model_dir = config.model_dir;
  o.temperature = config.temperature;
  o.top_k = config.top_k;
  o.top_p = config.top_p;
  impl_->generator = audio2au::make_au_generator(config.implementation, o);
}

AuGenerator::~AuGenerator() = default;
AuGenerator::AuGenerator(AuGenerator&&) noexcept = default;
AuGenerator& AuGenerator::operator=(AuGenerator&&) noexcept = default;

const AuGeneratorConfig& AuGenerator::config() const { return impl_->config; }

AuSequence AuGenerator::generate(std::span<const float> samples, const AuRequest& request, const RunHooks& hooks,
                                 const std::string& source) const {
  std::lock_guard lock(impl_->mutex);
  RunScope scope(hooks);
  check_au_request(request);
  if (!request.plot.empty()) AtomicFile probe(request.plot);  // an unwritable plot fails before any work
  throw_if_cancelled();
  audio2au::AuGenerator& g = *impl_->generator;
  g.set_call(request.emotion, request.emotion_intensity, request.fps, request.seed);
  AuSequence seq = g.generate(samples, source);
  throw_if_cancelled();
  if (seq.fps != request.fps) seq = resample(seq, request.fps);
  apply_edit(seq, request.edit);
  seq.validate("generated AU sequence");
  if (!request.plot.empty()) write_au_plot(request.plot, seq, g.timeline());
  return seq;
}

AuSequence AuGenerator::generate(const std::filesystem::path& audio, const AuRequest& request,
                                 const RunHooks& hooks) const {
  std::vector<float> samples;
  {
    RunScope scope(hooks);
    check_au_request(request);
    samples = load_audio(audio);
  }
  return generate(samples, request, hooks, audio.string());
}

}  // namespace auhead
