// Loads the diffusion renderer's models from one folder laid out like AniPortrait's pretrained weights
// (diffusers-style sub-folders, or AniPortrait's .pth files), with the sampling settings and device.
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <string>
#include <vector>

#include "auhead/sampling_options.h"
#include "render/diffusion/render_config.h"
#include "render/diffusion/autoencoder_kl.h"
#include "render/diffusion/clip_vision_model.h"
#include "render/diffusion/noise_schedule.h"
#include "render/diffusion/pose_guider.h"
#include "render/diffusion/unet_condition_model.h"

namespace auhead::render::diffusion {

struct DiffusionModels {
  AutoencoderKL vae{nullptr};
  UNetConditionModel reference_unet{nullptr};
  UNetConditionModel denoising_unet{nullptr};
  PoseGuider pose_guider{nullptr};
  ClipVisionModel image_encoder{nullptr};  // null: zero image embedding
  NoiseScheduleConfig scheduler;
  DiffusionSettings settings;
  torch::Device device{torch::kCPU};
  torch::ScalarType dtype = torch::kFloat;
  std::vector<std::string> notes;  // what was defaulted (no image encoder, no scheduler config)
};

// Reads `dir`:
//   vae/ (or sd-vae-ft-mse/)           config.json + diffusion_pytorch_model.safetensors|.bin
//   reference_unet/ | reference_unet.pth
//   denoising_unet/ | denoising_unet.pth (+ motion_module.pth, merged)
//   pose_guider/ | pose_guider.pth
//   image_encoder/                     optional: Hugging Face CLIPVisionModelWithProjection
//   scheduler/scheduler_config.json    optional: AniPortrait's DDIM settings when absent
//   render_config.json                 optional: DiffusionSettings, then `overrides` over them
//   au_adapter.safetensors             optional: an AU adapter for the denoising UNet (load_au_adapter)
// .pth UNets take AniPortrait's full-size configs. A missing required file is an unavailable error
// naming the file; bad keys or shapes are input errors naming the key; a bad override is a usage error.
DiffusionModels load_diffusion_models(const std::filesystem::path& dir, const SamplingOptions& overrides = {});

// The side, in pixels, of the square one latent cell covers: the VAE halves the frame once per block after
// the first (8 for SD-1.5's VAE).
int64_t vae_factor(const DiffusionModels& m);

// `unet` with the AU adapter of `file` (au_adapter.safetensors, as `auhead train render` writes it: the
// adapter's parameters only, its token count and width read from their shapes). Keys or shapes that are
// not this UNet's adapter are input errors naming the file.
UNetConditionModel load_au_adapter(const UNetConditionModel& unet, const std::filesystem::path& file);

// Moves every model to `device` ("auto", "cpu" or "cuda") in `dtype` ("auto": fp16 on CUDA, fp32 on
// the CPU; "fp32", "fp16", "bf16"). A GPU that this libtorch cannot see (Debian's is CPU-only) is an
// unavailable error for "cuda"; an unknown name is a usage error.
void place_models(DiffusionModels& models, const std::string& device, const std::string& dtype = "auto");

// "fp32", "fp16", "bf16" (else torch's name).
std::string dtype_name(torch::ScalarType dtype);

// AniPortrait's inference scheduler (configs/inference/inference_v2.yaml): linear betas 0.00085-0.012,
// v-prediction, zero-terminal-SNR, trailing spacing, steps_offset 1.
NoiseScheduleConfig aniportrait_scheduler_config();

}  // namespace auhead::render::diffusion
