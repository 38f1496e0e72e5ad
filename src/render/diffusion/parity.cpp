#include "render/diffusion/parity.h"

#include <torch/torch.h>

#include <cstdio>
#include <string>
#include <vector>

#include "auhead/error.h"
#include "core/json_text.h"
#include "checkpoint/safetensors.h"
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "render/diffusion/autoencoder_kl.h"
#include "render/diffusion/clip_vision_model.h"
#include "render/diffusion/sampler.h"
#include "core/parity_compare.h"
#include "render/diffusion/pose_guider.h"
#include "render/diffusion/unet_condition_model.h"

namespace auhead::render::diffusion {

namespace fs = std::filesystem;

namespace {

using Emit = ParityEmit;

torch::Tensor need(const SafetensorsFile& f, const std::string& name) { return f.get(name, /*copy=*/true); }

void require(const fs::path& p, const std::string& what) {
  if (!fs::exists(p)) throw input_error(p.string(), "no such file (" + what + ")");
}

// vae/ (diffusers AutoencoderKL folder) + vae_io.safetensors.
void run_vae(const fs::path& dir, const Emit& emit) {
  require(dir / "vae_io.safetensors", "the VAE fixture's inputs and outputs");
  require(dir / "vae" / "config.json", "the VAE fixture's config");
  AutoencoderKL vae = load_autoencoder_kl(dir / "vae");
  SafetensorsFile io(dir / "vae_io.safetensors");
  torch::InferenceMode guard;
  LatentMoments m = vae->encode(need(io, "image"));
  emit(compare_tensors("vae_io:latent_mean", m.mean, need(io, "latent_mean")));
  emit(compare_tensors("vae_io:latent_logvar", m.logvar, need(io, "latent_logvar")));
  emit(compare_tensors("vae_io:decode_out", vae->decode(need(io, "decode_in")), need(io, "decode_out")));
}

// schedulers.json + scheduler_<name>.safetensors: the timesteps and a full sampling loop from x_init
// with the analytic "model" eps_or_v(x, t) = 0.3 x + 0.01 sqrt(t) named in schedulers.json.
void run_schedulers(const fs::path& dir, const Emit& emit) {
  const fs::path json_file = dir / "schedulers.json";
  require(json_file, "the scheduler fixtures' index");
  nlohmann::json all = read_json_object_file(json_file);
  for (auto it = all.begin(); it != all.end(); ++it) {
    if (!it.value().is_object() || !it.value().contains("config")) continue;  // e.g. "model_for_loop"
    const std::string name = it.key();
    const nlohmann::json& entry = it.value();
    const nlohmann::json& cfg = entry["config"];
    const fs::path io_file = dir / ("scheduler_" + name + ".safetensors");
    require(io_file, "the recorded loop of scheduler '" + name + "'");
    const auto config = NoiseScheduleConfig::from_json(cfg, json_file.string() + " (" + name + ")");
    std::vector<int64_t> expected;
    int64_t steps = 0;
    try {
      expected = entry.at("timesteps").get<std::vector<int64_t>>();
      steps = entry.at("num_inference_steps").get<int64_t>();
    } catch (const nlohmann::json::exception& e) {
      throw input_error(json_file.string(), name + ": " + e.what());
    }
    const std::string algorithm = cfg.value("algorithm_type", std::string());
    // diffusers: a DDIMScheduler config has no algorithm_type.
    if (!algorithm.empty() && algorithm != "dpmsolver++")
      throw input_error(json_file.string(), name + ": unsupported algorithm_type '" + algorithm + "'");
    const std::unique_ptr<Sampler> sampler =
        make_sampler(algorithm.empty() ? "ddim" : algorithm, config, cfg.value("solver_order", 2));
    const std::vector<int64_t> timesteps = sampler->set_timesteps(steps);
    ParityResult ts = compare_tensors("schedulers:" + name + ":timesteps", torch::tensor(timesteps), torch::tensor(expected));
    ts.tolerance = 0;  // integers: exact
    ts.pass = ts.pass && ts.max_error == 0;
    emit(ts);
    SafetensorsFile io(io_file);
    torch::InferenceMode guard;
    torch::Tensor x = need(io, "x_init");
    for (std::size_t i = 0; i < timesteps.size(); ++i) {
      const int64_t t = timesteps[i];
      x = sampler->step(0.3 * x + 0.01 * std::sqrt(static_cast<double>(t)), t, x);
      const std::string key = "x_after_step_" + std::to_string(i);
      if (io.contains(key)) emit(compare_tensors("scheduler_" + name + ":" + key, x, need(io, key)));
    }
    emit(compare_tensors("scheduler_" + name + ":x_final", x, need(io, "x_final")));
  }
}

// pose_guider/ + step_io.safetensors: the guider's five features for pose_images.
void run_pose_guider(const fs::path& dir, const Emit& emit) {
  require(dir / "step_io.safetensors", "the denoising step's inputs and outputs");
  PoseGuider guider = load_pose_guider(dir / "pose_guider");
  SafetensorsFile io(dir / "step_io.safetensors");
  torch::InferenceMode guard;
  std::vector<torch::Tensor> features = guider->forward(need(io, "pose_images"));
  for (std::size_t i = 0; i < features.size(); ++i) {
    const std::string key = "pose_guider_out_" + std::to_string(i);
    emit(compare_tensors("step_io:" + key, features[i], need(io, key)));
  }
}

// reference_unet/ + step_io.safetensors: the ReferenceNet's output for (ref_latent, t = 0, tokens).
void run_reference_unet(const fs::path& dir, const Emit& emit) {
  require(dir / "step_io.safetensors", "the denoising step's inputs and outputs");
  UNetConditionModel reference = load_unet(dir / "reference_unet");
  SafetensorsFile io(dir / "step_io.safetensors");
  torch::InferenceMode guard;
  ReferenceBank bank;
  torch::Tensor out = reference->write_reference(need(io, "ref_latent"), torch::zeros({1}), need(io, "encoder_hidden_states"), bank);
  emit(compare_tensors("step_io:reference_unet_out", out, need(io, "reference_unet_out")));
}

// denoising_unet/ (+ reference_unet/) + step_io.safetensors: one step with the recorded pose features,
// with and without the ReferenceNet's tokens.
void run_denoising_unet(const fs::path& dir, const Emit& emit) {
  require(dir / "step_io.safetensors", "the denoising step's inputs and outputs");
  require(dir / "reference_unet" / "config.json", "the ReferenceNet that feeds the denoising UNet");
  UNetConditionModel reference = load_unet(dir / "reference_unet");
  UNetConditionModel unet = load_unet(dir / "denoising_unet");
  SafetensorsFile io(dir / "step_io.safetensors");
  torch::InferenceMode guard;
  const torch::Tensor tokens = need(io, "encoder_hidden_states");
  ReferenceBank bank;
  reference->write_reference(need(io, "ref_latent"), torch::zeros({1}), tokens, bank);
  std::vector<torch::Tensor> pose;
  for (int i = 0; io.contains("pose_guider_out_" + std::to_string(i)); ++i) pose.push_back(need(io, "pose_guider_out_" + std::to_string(i)));
  const torch::Tensor x = need(io, "noisy_latents"), t = need(io, "timestep");
  emit(compare_tensors("step_io:pred_with_reference", unet->forward_video(x, t, tokens, pose, &bank),
                       need(io, "pred_with_reference")));
  emit(compare_tensors("step_io:pred_without_reference", unet->forward_video(x, t, tokens, pose, nullptr),
                       need(io, "pred_without_reference")));
}

// A Hugging Face CLIP image encoder folder with io.safetensors: `dir` itself or dir/clip_vision_tiny.
fs::path clip_folder(const fs::path& dir) {
  for (const fs::path& d : {dir, dir / "clip_vision_tiny"}) {
    const fs::path cfg = d / "config.json";
    if (!fs::exists(cfg)) continue;
    try {
      nlohmann::json j = read_json_object_file(cfg);
      if (j.value("model_type", std::string()).rfind("clip", 0) == 0) return d;
    } catch (const Error&) {
      if (d != dir) return d;  // the named part with a broken config: let the handler report it
    }
  }
  return {};
}

// clip_vision_tiny/ (config.json, model.safetensors, io.safetensors): pixel_values -> the encoder's
// last_hidden_state, pooled_output and image_embeds.
void run_clip_vision(const fs::path& root, const Emit& emit) {
  const fs::path dir = clip_folder(root);
  require(dir / "io.safetensors", "the CLIP image encoder's inputs and outputs");
  ClipVisionModel clip = load_clip_vision_model(dir);
  SafetensorsFile io(dir / "io.safetensors");
  torch::InferenceMode guard;
  ClipVisionOutput out = clip->forward(need(io, "pixel_values"));
  emit(compare_tensors("clip_vision:last_hidden_state", out.last_hidden_state, need(io, "last_hidden_state")));
  emit(compare_tensors("clip_vision:pooled_output", out.pooled_output, need(io, "pooled_output")));
  emit(compare_tensors("clip_vision:image_embeds", out.image_embeds, need(io, "image_embeds")));
}

// A handler present when `part` exists; it also covers `also` (files it reads that other handlers share).
template <class Run>
ParityHandler when_present(const char* name, const char* part, Run run, std::vector<std::string> also = {}) {
  also.insert(also.begin(), part);
  return {name, also, [part](const fs::path& d) { return fs::exists(d / part); }, run};
}

}  // namespace

std::vector<ParityHandler> parity_handlers() {
  return {{"vae",
           {"vae", "vae_io.safetensors"},
           [](const fs::path& d) { return fs::exists(d / "vae") || fs::exists(d / "vae_io.safetensors"); },
           run_vae},
          when_present("schedulers", "schedulers.json", run_schedulers),
          when_present("pose_guider", "pose_guider", run_pose_guider, {"step_io.safetensors"}),
          when_present("reference_unet", "reference_unet", run_reference_unet, {"step_io.safetensors"}),
          when_present("denoising_unet", "denoising_unet", run_denoising_unet, {"step_io.safetensors"}),
          {"clip_vision", {"clip_vision_tiny"}, [](const fs::path& d) { return !clip_folder(d).empty(); },
           run_clip_vision}};
}

}  // namespace auhead::render::diffusion
