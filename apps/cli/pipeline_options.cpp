#include "pipeline_options.h"

#include "command.h"

namespace auhead::cli {

void AuArgs::add_to(CLI::App* cmd, bool model_alias, bool audio_required) {
  auto* audio = cmd->add_option("--audio", options.audio, "speech: wav, mp3, flac, ogg, m4a or a video's audio track");
  if (audio_required) audio->required();
  cmd->add_option("--emotion", emotion, "angry, contempt, disgusted, fear, happy, neutral, sad, surprised (default: estimated)");
  cmd->add_option("--emotion-intensity", options.emotion_intensity, "emotion strength in [0, 1]")
      ->check(finite_range(0, 1))
      ->capture_default_str();
  cmd->add_option(model_alias ? "--au-generator,--generator" : "--au-generator", options.au_generator, "Stage 1: phonetic (built in) or alm (needs --au-model)")
      ->check(CLI::IsMember({"phonetic", "alm"}))
      ->capture_default_str();
  cmd->add_option("--lipsync", options.lipsync, "phonetic front end: accurate (phoneme recognition) or fast")
      ->check(CLI::IsMember({"accurate", "fast"}))
      ->capture_default_str();
  cmd->add_option("--fps", options.fps, "frames per second")->check(finite_range(1, 120))->capture_default_str();
  cmd->add_option(model_alias ? "--au-model,--model" : "--au-model", options.model_dir, "checkpoint folder of the alm AU generator");
  cmd->add_option("--seed", options.seed, "random seed (blinks, motion, sampling)")->capture_default_str();
  cmd->add_option_function<float>("--temperature", [this](float v) { options.temperature = v; },
                                  "alm sampling temperature; 0 = greedy (default: the model's generation_config.json, else greedy)")
      ->check(finite_range(0, 100));
  cmd->add_option_function<int>("--top-k", [this](int v) { options.top_k = v; }, "alm sampling: keep the K likeliest tokens; 0 = off")
      ->check(finite_range(0, 1 << 24));
  cmd->add_option_function<float>("--top-p", [this](float v) { options.top_p = v; }, "alm sampling: nucleus mass in (0, 1]; 1 = off")
      ->check(finite_range(0, 1));
}

AuOptions AuArgs::resolve() const {
  AuOptions o = options;
  if (!emotion.empty()) o.emotion = parse_emotion_or_throw(emotion);
  return o;
}

void RenderArgs::add_to(CLI::App* cmd, bool with_seed, bool model_alias) {
  cmd->add_option("--image", options.image, "portrait photo: png, jpg or webp")->required();
  cmd->add_option("--renderer", options.renderer, "Stage 2: warp (built in) or diffusion (needs --render-model)")
      ->check(CLI::IsMember({"warp", "diffusion"}))
      ->capture_default_str();
  cmd->add_option("--size", options.size, "output frames are SIZE x SIZE pixels (even)")
      ->check(CLI::Range(64, 4096))
      ->capture_default_str();
  cmd->add_flag("--still", options.still, "no head motion");
  cmd->add_flag("--keep-portrait-expression", options.keep_portrait_expression,
                "animate the portrait as it is (by default its own expression is removed first)");
  cmd->add_option("--frames", options.frames_dir, "also write the frames as PNGs into this folder");
  cmd->add_option(model_alias ? "--render-model,--model" : "--render-model", options.model_dir, "checkpoint folder of the diffusion renderer");
  if (with_seed) cmd->add_option("--seed", options.seed, "random seed (head motion, diffusion noise)")->capture_default_str();
  // The diffusion sampling settings, over the model folder's render_config.json (same names); ranges
  // are checked by resolve(), one place for the CLI and the library.
  SamplingOptions& s = options.sampling;
  cmd->add_option_function<int>("--steps", [&s](const int& v) { s.steps = v; },
                                "diffusion: denoising steps, 1-1000 (default: render_config.json, else 20)");
  cmd->add_option_function<std::string>("--sampler", [&s](const std::string& v) { s.sampler = v; },
                                         "diffusion: ddim or dpmsolver++ (default: render_config.json, else ddim)");
  cmd->add_option_function<double>("--guidance-reference", [&s](const double& v) { s.guidance_reference = v; },
                                    "diffusion: reference (identity) guidance scale s_ref >= 0 (default: render_config.json, else 3.5)");
  cmd->add_option_function<double>("--guidance-au", [&s](const double& v) { s.guidance_au = v; },
                                   "diffusion: AU guidance scale s_au >= 0 (default: render_config.json, else 2)");
  cmd->add_option_function<std::string>("--device", [&s](const std::string& v) { s.device = v; },
                                        "diffusion: auto, cpu or cuda (default: render_config.json, else auto)");
}

RenderOptions RenderArgs::resolve() const {
  check_sampling_options(options.sampling, options.renderer);
  return options;
}

}  // namespace auhead::cli
