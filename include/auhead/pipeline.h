// libauhead's one-call entry points: speech → AU sequence (Stage 1), AU sequence + portrait → video
// (Stage 2), and both in one call, each loading what it needs for that call. To load once and run
// many times use the handles (au_generator.h, renderer.h). Every failure is an auhead::Error (see
// error.h); `hooks` receive notes, warnings and progress and can cancel (run_hooks.h).
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "auhead/au_edit.h"
#include "auhead/au_generator.h"
#include "auhead/au_sequence.h"
#include "auhead/renderer.h"
#include "auhead/run_hooks.h"
#include "auhead/sampling_options.h"

namespace auhead {

struct AuOptions {
  std::filesystem::path audio;                 // any format FFmpeg reads
  std::optional<Emotion> emotion;              // none: estimated from the speech
  float emotion_intensity = 0.7f;
  std::string au_generator = "phonetic";       // phonetic | alm
  std::string lipsync = "accurate";            // phonetic front end: accurate | fast
  double fps = 25.0;
  uint64_t seed = 0;
  std::filesystem::path model_dir;             // alm checkpoint folder
  std::optional<float> temperature;            // alm sampling (unset: the model's generation_config.json)
  std::optional<int> top_k;
  std::optional<float> top_p;
  AuEdit edit;                                 // applied to the generated sequence
  std::filesystem::path plot;                  // PNG chart of the AU curves (with phones); empty: none
};

struct RenderOptions {
  std::filesystem::path image;                 // portrait: png, jpg, webp
  std::filesystem::path audio;                 // muxed into the video when given
  std::filesystem::path output;                // .mp4 (or .mov/.mkv); empty: no video
  std::filesystem::path frames_dir;            // PNG frame sequence; empty: none
  std::string renderer = "warp";               // warp | diffusion
  int size = 512;                              // output frames are size × size (even)
  uint64_t seed = 0;
  bool still = false;                          // no head motion
  bool keep_portrait_expression = false;       // false: the portrait's own expression (a smile, an
                                               // open mouth) is estimated and removed before the
                                               // requested AUs are applied
  std::filesystem::path model_dir;             // diffusion checkpoint folder
  SamplingOptions sampling;                    // diffusion only: overrides DIR/render_config.json
  AuEdit edit;                                 // applied before rendering
};

// Stage 1: decodes the audio, runs the generator, applies the edit.
AuSequence generate_au(const AuOptions& options, const RunHooks& hooks = {});
// Stage 2: renders `aus` over the portrait into the video and/or frame folder (atomically).
void render_video(const AuSequence& aus, const RenderOptions& options, const RunHooks& hooks = {});

struct GenerateOptions {
  AuOptions au;
  RenderOptions render;
  std::filesystem::path au_out;                // also write the AU sequence (.json/.csv) when given
  // Video-driven animation: the AUs (relative to the driving face's own neutral) and head pose
  // (relative to its first frame) of the face in this video drive the portrait, at the video's
  // frame rate. au.audio is then optional: with it the mouth's speech AUs come from the speech and
  // the speech is muxed; without it the video's own audio track is muxed when it has one.
  std::filesystem::path driving_video;
  std::string drive = "all";                   // all | upper | pose: what the video drives
  int driving_face_index = -1;                 // which face of the driving video (-1: the largest)
};
// Both stages. Checks that the chosen generator and renderer exist and that the inputs and outputs
// are usable before any long work starts.
AuSequence generate(const GenerateOptions& options, const RunHooks& hooks = {});

}  // namespace auhead
