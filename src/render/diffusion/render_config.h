// The diffusion renderer's sampling settings and DIR/render_config.json, which sets them for a model
// folder. Apart from the model loader so that readers and fuzzers need no model code.
#pragma once
#include <filesystem>
#include <string>

namespace auhead::render::diffusion {

// Sampling settings: defaults below, overridden by the folder's optional `render_config.json`
// ({"steps": 20, "sampler": "ddim"|"dpmsolver++", "guidance_reference": 3.5, "guidance_au": 2.0,
//   "context_frames": 16, "context_overlap": 4, "device": "auto"|"cpu"|"cuda"}), in turn overridden by
// the caller's SamplingOptions.
struct DiffusionSettings {
  int steps = 20;
  std::string sampler = "ddim";
  double guidance_reference = 3.5;  // s_ref
  double guidance_au = 2.0;         // s_au (only with an AU adapter)
  int context_frames = 16;
  int context_overlap = 4;
  std::string device = "auto";      // auto: CUDA (fp16) when torch sees a GPU, else CPU (fp32)
};

// DIR/render_config.json (defaults when the file is absent). Errors: input errors naming the file for a
// value of the wrong type, out of range, or settings the samplers cannot run (context_overlap >= context_frames).
DiffusionSettings read_render_config(const std::filesystem::path& file);

}  // namespace auhead::render::diffusion
