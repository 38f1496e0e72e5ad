// The options JSON of a service request (`POST /v1/jobs`, `/v1/au`, the stream's start message): the
// same settings as `auhead generate`'s options, under the same names with '_' for '-'. Models are
// named, never given as paths: the server maps names to folders (`auhead serve --model NAME=DIR`).
#pragma once
#include <filesystem>
#include <map>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "auhead/au_generator.h"
#include "auhead/renderer.h"
#include "auhead/stream.h"

namespace auhead::serve {

struct GenerateRequest {
  AuGeneratorConfig au_config;
  AuRequest au;
  RendererConfig render_config;
  RenderRequest render;
};

using ModelNames = std::map<std::string, std::filesystem::path>;

// Keys: emotion, emotion_intensity, emotion_scale, set (["jaw_drop=0.6@1-2", ...]), au_generator,
// lipsync, fps, seed, temperature, top_k, top_p, au_model, renderer, size, still,
// keep_portrait_expression, render_model, model (both stages), steps, sampler, guidance_reference,
// guidance_au, device; `stage1_only` narrows them to the Stage 1 ones (`/v1/au`). Unknown keys, wrong
// types, values out of range are usage errors naming the key; an unknown model name is unavailable.
GenerateRequest parse_generate_options(const nlohmann::json& options, const ModelNames& models,
                                       bool stage1_only = false);

// The stream's start message: sample_rate (8000 to 192000, default 16000), format (s16le | f32le) and the stream settings
// (emotion, emotion_intensity, size, fps, seed, still, keep_portrait_expression, context_seconds,
// lookahead_seconds, emotion_ramp_seconds, set).
struct StreamStart {
  StreamConfig config;
  std::vector<AuOverride> overrides;
  bool float_samples = false;  // f32le; else s16le
};
StreamStart parse_stream_start(const nlohmann::json& message);

// A `set` message: emotion (null for neutral), emotion_intensity, set.
struct StreamSet {
  bool emotion_given = false;
  std::optional<Emotion> emotion;
  std::optional<float> intensity;
  bool overrides_given = false;
  std::vector<AuOverride> overrides;
};
StreamSet parse_stream_set(const nlohmann::json& message);

}  // namespace auhead::serve
