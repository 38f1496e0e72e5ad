// Orchestration of the two stages (include/auhead/pipeline.h) over the public handles.
#include "auhead/pipeline.h"

#include <optional>

#include "au_estimation/driving.h"
#include "au_estimation/media_aus.h"
#include "auhead/error.h"
#include "core/atomic_file.h"
#include "core/run_context.h"
#include "media/audio_decoder.h"
#include "pipeline/render_files.h"

namespace auhead {

namespace {

AuGeneratorConfig generator_config(const AuOptions& o) {
  AuGeneratorConfig c;
  c.implementation = o.au_generator;
  c.lipsync = o.lipsync;
  c.model_dir = o.model_dir;
  c.temperature = o.temperature;
  c.top_k = o.top_k;
  c.top_p = o.top_p;
  return c;
}

AuRequest au_request(const AuOptions& o) {
  AuRequest r;
  r.emotion = o.emotion;
  r.emotion_intensity = o.emotion_intensity;
  r.fps = o.fps;
  r.seed = o.seed;
  r.edit = o.edit;
  r.plot = o.plot;
  return r;
}

// Stage 1 options that need no file: the frame rate, and sampling settings only for the alm generator.
void check_au_options(const AuOptions& o) {
  check_au_request(au_request(o));
  check_au_config(generator_config(o));
}

RendererConfig renderer_config(const RenderOptions& o) {
  RendererConfig c;
  c.implementation = o.renderer;
  c.size = o.size;
  c.model_dir = o.model_dir;
  c.sampling = o.sampling;
  return c;
}

RenderRequest render_request(const RenderOptions& o) {
  RenderRequest r;
  r.seed = o.seed;
  r.still = o.still;
  r.keep_portrait_expression = o.keep_portrait_expression;
  r.edit = o.edit;
  return r;
}

RenderFiles render_files(const RenderOptions& o) { return {o.output, o.frames_dir, o.audio}; }

// What both forms of generate() check before reading any file.
void check_generate_options(const GenerateOptions& options) {
  check_au_options(options.au);
  check_frame_size(options.render.size);
  check_sampling_options(options.render.sampling, options.render.renderer);
  check_render_files(render_files(options.render));
  if (!options.au_out.empty()) detect_au_format(options.au_out);
}

// generate() with a driving video: its AUs and pose, the speech's mouth when there is speech.
AuSequence generate_driven(const GenerateOptions& options, const RunHooks& hooks) {
  const auto mode = au_estimation::parse_drive_mode(options.drive);
  check_generate_options(options);
  if (options.driving_video == options.render.output || options.driving_video == options.render.image)
    throw usage_error("the driving video must not be the output or the portrait");
  Portrait portrait = Portrait::load(options.render.image);
  const bool speech = !options.au.audio.empty();
  std::vector<float> samples;
  if (speech) samples = load_audio(options.au.audio);
  Renderer renderer(renderer_config(options.render), hooks);
  renderer.prepare(portrait, render_request(options.render), hooks);
  au_estimation::MediaAus driving;
  {
    RunScope scope(hooks);
    driving = au_estimation::estimate_video_aus(options.driving_video, options.driving_face_index);
  }
  AuSequence speech_aus;
  if (speech) {
    AuRequest r = au_request(options.au);
    r.fps = driving.aus.fps;
    r.edit = {};
    speech_aus = AuGenerator(generator_config(options.au), hooks).generate(samples, r, hooks, options.au.audio.string());
  }
  AuSequence aus = au_estimation::driving_aus(driving.aus, speech ? &speech_aus : nullptr, mode);
  apply_edit(aus, options.au.edit);
  aus.validate("driven AU sequence");
  if (!options.au_out.empty()) write_au_file(options.au_out, aus);
  RenderFiles files = render_files(options.render);
  files.audio = options.au.audio;
  if (!speech) {
    // The driving video's own sound, when it has a track.
    try {
      media::probe_audio(options.driving_video);
      files.audio = options.driving_video;
    } catch (const Error& e) {
      if (std::string(e.what()).find("has no audio stream") == std::string::npos) throw;
    }
  }
  renderer.render_file(aus, portrait, files, render_request(options.render), hooks);
  return aus;
}

}  // namespace

AuSequence generate_au(const AuOptions& options, const RunHooks& hooks) {
  check_au_options(options);
  if (!options.plot.empty()) AtomicFile probe(options.plot);  // an unwritable plot fails before any work
  std::vector<float> samples = load_audio(options.audio);
  return AuGenerator(generator_config(options), hooks).generate(samples, au_request(options), hooks, options.audio.string());
}

void render_video(const AuSequence& aus, const RenderOptions& options, const RunHooks& hooks) {
  check_frame_size(options.size);
  check_sampling_options(options.sampling, options.renderer);
  check_render_files(render_files(options));
  Portrait portrait = Portrait::load(options.image);
  Renderer(renderer_config(options), hooks).render_file(aus, portrait, render_files(options), render_request(options), hooks);
}

AuSequence generate(const GenerateOptions& options, const RunHooks& hooks) {
  if (!options.driving_video.empty()) return generate_driven(options, hooks);
  if (options.au.audio.empty()) throw usage_error("generate: give --audio (or --driving-video)");
  check_generate_options(options);
  if (!options.au.plot.empty()) AtomicFile probe(options.au.plot);
  // Inputs are read and both stages loaded before Stage 1 runs, so that a bad portrait or a missing
  // renderer is reported before any long work.
  Portrait portrait = Portrait::load(options.render.image);
  std::vector<float> samples = load_audio(options.au.audio);
  AuGenerator generator(generator_config(options.au), hooks);
  Renderer renderer(renderer_config(options.render), hooks);
  // The renderer's portrait work (face analysis) also runs first: "no face found" is reported
  // before Stage 1 spends any time.
  const RenderRequest request = render_request(options.render);
  renderer.prepare(portrait, request, hooks);
  AuSequence aus = generator.generate(samples, au_request(options.au), hooks, options.au.audio.string());
  if (!options.au_out.empty()) write_au_file(options.au_out, aus);
  renderer.render_file(aus, portrait, render_files(options.render), request, hooks);
  return aus;
}

}  // namespace auhead
