#include "render/diffusion/diffusion_model_dir.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include "auhead/au_sequence.h"
#include "auhead/error.h"
#include "core/json_text.h"
#include "core/atomic_file.h"
#include "checkpoint/state_dict.h"
#include "checkpoint/torch_checkpoint.h"
#include "render/diffusion/schedule_fit.h"
#include "render/sampling_limits.h"

namespace auhead::render::diffusion {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void missing(const fs::path& file, const std::string& what) {
  throw unavailable_error(file.string() + ": no such file (the diffusion renderer needs " + what + ")");
}

nlohmann::json read_json(const fs::path& file) {
  try {
    nlohmann::json j = nlohmann::json::parse(read_text_file(file));
    if (!j.is_object()) throw input_error(file.string(), "bad JSON: not an object");
    return j;
  } catch (const nlohmann::json::exception& e) {
    throw input_error(file.string(), std::string("bad JSON: ") + e.what());
  }
}

// A diffusers folder's weights: diffusion_pytorch_model.safetensors, else .bin; checks config.json too.
void require_diffusers_folder(const fs::path& folder, const std::string& what) {
  if (!fs::exists(folder / "config.json")) missing(folder / "config.json", what + "'s config");
  if (!fs::exists(folder / "diffusion_pytorch_model.safetensors") && !fs::exists(folder / "diffusion_pytorch_model.bin"))
    missing(folder / "diffusion_pytorch_model.safetensors", what + "'s weights (or diffusion_pytorch_model.bin)");
}

// AniPortrait's .pth UNet with its full-size config (SD-1.5 layout); conv_out follows the weights.
UNetConditionModel unet_from_pth(UNetConfig config, const std::vector<fs::path>& files) {
  TensorMap state;
  std::string source;
  for (const auto& f : files) {
    TensorMap part = load_state_dict_file(f);
    state.insert(part.begin(), part.end());
    source += (source.empty() ? "" : " + ") + f.string();
  }
  config.has_output_head = state.count("conv_out.weight") != 0;
  UNetConditionModel unet(config);
  unet->load_weights(state, source);
  unet->eval();
  return unet;
}

}  // namespace

namespace {

// The caller's settings (already checked) over the file's.
void override_settings(DiffusionSettings& s, const SamplingOptions& o) {
  if (o.steps) s.steps = *o.steps;
  if (o.sampler) s.sampler = *o.sampler;
  if (o.guidance_reference) s.guidance_reference = *o.guidance_reference;
  if (o.guidance_au) s.guidance_au = *o.guidance_au;
  if (o.device) s.device = *o.device;
}

}  // namespace

UNetConditionModel load_au_adapter(const UNetConditionModel& unet, const fs::path& file) {
  const TensorMap state = load_state_dict_file(file);
  const std::string src = file.string();
  const auto in = state.find("au_encoder.proj_in.weight"), out = state.find("au_encoder.proj_out.weight");
  if (in == state.end() || out == state.end() || in->second.dim() != 2 || out->second.dim() != 2)
    throw input_error(src, "missing key au_encoder.proj_in.weight or au_encoder.proj_out.weight (not an AU adapter)");
  const int64_t width = unet->config().cross_attention_dim, hidden = in->second.size(0), au_dim = in->second.size(1);
  if (au_dim != kNumAus)
    throw input_error(src, "the AU adapter takes " + std::to_string(au_dim) + " AUs; this build has " + std::to_string(kNumAus));
  if (out->second.size(1) != hidden || out->second.size(0) % width != 0 || out->second.size(0) == 0)
    throw input_error(src, "au_encoder.proj_out.weight has shape [" + std::to_string(out->second.size(0)) + ", " +
                               std::to_string(out->second.size(1)) + "], not [tokens x " + std::to_string(width) + ", " +
                               std::to_string(hidden) + "] for this denoising UNet");
  UNetConditionModel adapted = with_new_au_adapter(unet, au_dim, out->second.size(0) / width, hidden);
  // The file holds the adapter alone: every other key of the UNet may be absent from it.
  StateDictOptions options;
  for (const auto& [key, value] : module_state(*adapted))
    if (!is_au_adapter_key(key)) options.allow_missing_prefixes.push_back(key);
  load_state_dict(*adapted, state, src, options);
  adapted->eval();
  return adapted;
}

int64_t vae_factor(const DiffusionModels& m) { return int64_t{1} << (m.vae->config().block_out_channels.size() - 1); }

NoiseScheduleConfig aniportrait_scheduler_config() {
  NoiseScheduleConfig c;
  c.beta_start = 0.00085;
  c.beta_end = 0.012;
  c.beta_schedule = "linear";
  c.prediction_type = PredictionType::v_prediction;
  c.rescale_betas_zero_snr = true;
  c.timestep_spacing = TimestepSpacing::trailing;
  c.steps_offset = 1;
  return c;
}

std::string dtype_name(torch::ScalarType dtype) {
  if (dtype == torch::kFloat) return "fp32";
  if (dtype == torch::kHalf) return "fp16";
  if (dtype == torch::kBFloat16) return "bf16";
  return c10::toString(dtype);
}

void place_models(DiffusionModels& m, const std::string& device, const std::string& dtype) {
  SamplingOptions requested;
  requested.device = device;
  if (auto p = sampling_problem(requested)) throw usage_error(p->key + " " + p->problem);
  const bool cuda = torch::cuda::is_available();
  if (device == "cuda" && !cuda) throw unavailable_error("device cuda: this build of libtorch sees no GPU");
  const bool gpu = device == "cuda" || (device == "auto" && cuda);
  m.device = gpu ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
  if (dtype == "auto") m.dtype = gpu ? torch::kHalf : torch::kFloat;
  else if (dtype == "fp32") m.dtype = torch::kFloat;
  else if (dtype == "fp16") m.dtype = torch::kHalf;
  else if (dtype == "bf16") m.dtype = torch::kBFloat16;
  else throw usage_error("dtype must be auto, fp32, fp16 or bf16, got '" + dtype + "'");
  for (torch::nn::Module* mod : std::initializer_list<torch::nn::Module*>{m.vae.get(), m.reference_unet.get(),
                                                                          m.denoising_unet.get(), m.pose_guider.get()})
    mod->to(m.device, m.dtype);
  if (m.image_encoder) m.image_encoder->to(m.device, m.dtype);
}

DiffusionModels load_diffusion_models(const fs::path& dir, const SamplingOptions& overrides) {
  check_sampling_options(overrides, "diffusion");
  if (dir.empty()) throw usage_error("--renderer diffusion needs --render-model DIR (a checkpoint folder)");
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw unavailable_error(dir.string() + ": no such folder (--render-model)");
  DiffusionModels m;
  m.settings = read_render_config(dir / "render_config.json");
  override_settings(m.settings, overrides);

  // Check every required file before loading any, so that the first error names what is missing.
  fs::path vae_dir = dir / "vae";
  if (!fs::exists(vae_dir) && fs::exists(dir / "sd-vae-ft-mse")) vae_dir = dir / "sd-vae-ft-mse";
  require_diffusers_folder(vae_dir, "the VAE");
  const bool ref_pth = !fs::exists(dir / "reference_unet") && fs::exists(dir / "reference_unet.pth");
  if (!ref_pth) require_diffusers_folder(dir / "reference_unet", "the ReferenceNet");
  const bool den_pth = !fs::exists(dir / "denoising_unet") && fs::exists(dir / "denoising_unet.pth");
  if (den_pth) {
    if (!fs::exists(dir / "motion_module.pth")) missing(dir / "motion_module.pth", "the motion modules of denoising_unet.pth");
  } else {
    require_diffusers_folder(dir / "denoising_unet", "the denoising UNet");
  }
  const bool pose_pth = !fs::exists(dir / "pose_guider") && fs::exists(dir / "pose_guider.pth");
  if (!pose_pth) require_diffusers_folder(dir / "pose_guider", "the pose guider");

  m.vae = load_autoencoder_kl(vae_dir);
  m.reference_unet = ref_pth ? unet_from_pth(UNetConfig::aniportrait_reference_unet(), {dir / "reference_unet.pth"})
                             : load_unet(dir / "reference_unet");
  m.denoising_unet = den_pth ? unet_from_pth(UNetConfig::aniportrait_denoising_unet(),
                                             {dir / "denoising_unet.pth", dir / "motion_module.pth"})
                             : load_unet(dir / "denoising_unet");
  if (!m.denoising_unet->config().has_output_head)
    throw input_error((den_pth ? dir / "denoising_unet.pth" : dir / "denoising_unet").string(),
                      "missing key conv_out.weight (the denoising UNet needs its output head)");
  m.pose_guider = load_pose_guider(pose_pth ? dir / "pose_guider.pth" : dir / "pose_guider");
  if (fs::exists(dir / "au_adapter.safetensors"))  // `auhead train render`'s adapter over the base UNet
    m.denoising_unet = load_au_adapter(m.denoising_unet, dir / "au_adapter.safetensors");
  const int64_t au_dim = m.denoising_unet->config().au_dim;
  if (au_dim > 0 && au_dim != kNumAus)
    throw input_error((dir / "denoising_unet").string(), "the AU adapter takes " + std::to_string(au_dim) +
                                                              " AUs; this build has " + std::to_string(kNumAus));
  const int64_t width = m.denoising_unet->config().cross_attention_dim;
  if (m.reference_unet->config().cross_attention_dim != width)
    throw input_error((dir / "reference_unet").string(), "cross_attention_dim differs from the denoising UNet's");
  if (m.pose_guider->config().noise_latent_channels != m.denoising_unet->config().block_out_channels[0])
    throw input_error((dir / "pose_guider").string(), "noise_latent_channels differs from the denoising UNet's first block width");

  if (fs::exists(dir / "image_encoder")) {
    m.image_encoder = load_clip_vision_model(dir / "image_encoder");
    if (m.image_encoder->config().projection_dim != width)
      throw input_error((dir / "image_encoder" / "config.json").string(),
                        "projection_dim " + std::to_string(m.image_encoder->config().projection_dim) +
                            " differs from the UNets' cross_attention_dim " + std::to_string(width));
  } else {
    m.notes.push_back("no " + (dir / "image_encoder").string() + ": using a zero image embedding");
  }

  fs::path sched = dir / "scheduler" / "scheduler_config.json";
  if (!fs::exists(sched)) sched = dir / "scheduler_config.json";
  if (fs::exists(sched)) {
    m.scheduler = NoiseScheduleConfig::from_json(read_json(sched), sched.string());
  } else {
    m.scheduler = aniportrait_scheduler_config();
    m.notes.push_back("no scheduler/scheduler_config.json: using AniPortrait's DDIM settings");
  }
  check_schedule_fits(m.scheduler, m.settings.sampler, m.settings.steps, fs::exists(sched) ? sched.string() : dir.string());

  place_models(m, m.settings.device);
  return m;
}

}  // namespace auhead::render::diffusion
