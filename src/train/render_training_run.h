// `auhead train render`: training of the diffusion renderer's AU adapter (AU token encoder + AU
// cross-attention) on a frozen AniPortrait-class base (VAE, ReferenceNet, denoising UNet, pose guider),
// from the Stage 2 frames of `auhead dataset --stage2-size`, optionally with the pose guider; the
// optimizer, precision, accumulation and resumable checkpoints of `train alm`. The output folder is a
// model folder that `--render-model` loads: the base's files linked, the adapter in au_adapter.safetensors.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "train/train_loop_options.h"

namespace auhead::train {

struct RenderTrainOptions : TrainLoopOptions {
  RenderTrainOptions() { epochs = 1; }
  std::filesystem::path model_dir;   // the base: a diffusion model folder (load_diffusion_models)
  std::filesystem::path data;        // a dataset folder with stage2/ (or stage2/ itself, or a clip index)
  std::string device = "auto";       // auto | cpu | cuda
  double au_drop = 0.1;              // share of samples trained without their AUs
  double reference_drop = 0.1;       // share trained without their reference (and image embedding)
  bool train_pose_guider = false;
  int64_t au_tokens = 4, au_hidden = 256;  // a new adapter's shape (a base that has one keeps its own)
};

// Checks the ranges of every option (a usage error naming the option).
void check_render_train_options(const RenderTrainOptions& o);

using RenderTrainLogEntry = TrainLogEntry;

struct RenderTrainReport {
  int64_t first_step = 0;  // > 0 when resumed
  int64_t steps = 0, samples = 0;
  int64_t adapter_parameters = 0, trained_parameters = 0;
  double seconds = 0;
  std::vector<RenderTrainLogEntry> log;  // every step, the resumed ones included
};

// Trains; `on_step` sees each step as it ends. A sample is one frame: its face crop (the target), another
// frame of the same clip drawn at random (the reference, through the ReferenceNet and the image
// encoder), its landmark image (the pose guider) and its AUs. OUTPUT gets checkpoint-N/ folders,
// train_log.jsonl, and at the end au_adapter.safetensors (+ pose_guider/ when trained) beside links to
// the base's other files.
RenderTrainReport train_render(const RenderTrainOptions& options,
                               const std::function<void(const RenderTrainLogEntry&)>& on_step = {});

}  // namespace auhead::train
