#include "render/diffusion/render_config.h"

#include <nlohmann/json.hpp>

#include "auhead/error.h"
#include "auhead/sampling_options.h"
#include "core/json_text.h"
#include "render/sampling_limits.h"

namespace auhead::render::diffusion {

namespace fs = std::filesystem;

DiffusionSettings read_render_config(const fs::path& file) {
  DiffusionSettings s;
  if (!fs::exists(file)) return s;
  const nlohmann::json j = read_json_object_file(file);
  if (!j.is_object()) throw input_error(file.string(), "bad render settings: a JSON object expected");
  const std::string src = file.string();
  // Wide bounds here (a value of the wrong type, fractional or huge is refused at once); the sampling
  // limits below say what is valid.
  s.steps = int(config_int(j, "steps", s.steps, -1000000, 1000000, src));
  s.guidance_reference = config_number(j, "guidance_reference", s.guidance_reference, -1e6, 1e6, src);
  s.guidance_au = config_number(j, "guidance_au", s.guidance_au, -1e6, 1e6, src);
  s.context_frames = int(config_int(j, "context_frames", s.context_frames, 1, 256, src));
  s.context_overlap = int(config_int(j, "context_overlap", s.context_overlap, 0, 255, src));
  try {
    s.sampler = j.value("sampler", s.sampler);
    s.device = j.value("device", s.device);
  } catch (const nlohmann::json::exception&) {
    throw input_error(src, "bad render settings: sampler and device must be strings");
  }
  const SamplingOptions sampling{s.steps, s.sampler, s.guidance_reference, s.guidance_au, s.device};
  if (auto p = sampling_problem(sampling)) throw input_error(file.string(), "bad render settings: " + p->key + " " + p->problem);
  if (s.context_frames < 1 || s.context_overlap < 0 || s.context_overlap >= s.context_frames)
    throw input_error(file.string(), "bad render settings: need context_frames >= 1 and 0 <= context_overlap < context_frames");
  return s;
}

}  // namespace auhead::render::diffusion
