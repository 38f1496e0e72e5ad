// Command-line options for the two stages, shared by `generate`, `au` and `render`.
#pragma once
#include <CLI/CLI.hpp>
#include <string>

#include "auhead/pipeline.h"
#include "edit_options.h"

namespace auhead::cli {

// Stage 1 options (--audio, --emotion, --emotion-intensity, --au-generator, --lipsync, --fps, --seed).
struct AuArgs {
  AuOptions options;
  std::string emotion;
  // model_alias: also accept --model for --au-model (commands with a single model);
  // audio_required: false where another input can stand in for the speech (au --video/--image).
  void add_to(CLI::App* cmd, bool model_alias = false, bool audio_required = true);
  AuOptions resolve() const;  // parses the emotion label (a usage error lists the valid ones)
};

// Stage 2 options (--image, --renderer, --size, --still, --frames, --seed, --render-model and the
// diffusion sampling settings --steps, --sampler, --guidance-reference, --guidance-au, --device).
struct RenderArgs {
  RenderOptions options;
  // model_alias: also accept --model for --render-model (commands with a single model).
  void add_to(CLI::App* cmd, bool with_seed, bool model_alias = false);
  // Checks the sampling settings (usage errors: out of range, or given with a renderer other than
  // diffusion), before any file is read.
  RenderOptions resolve() const;
};

}  // namespace auhead::cli
