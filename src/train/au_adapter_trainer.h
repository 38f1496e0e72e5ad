// One optimisation step of the diffusion renderer's AU adapter (issue #18, item 4): the AU token encoder
// and every transformer block's AU cross-attention (norm_au, attn_au) trained on a frozen denoising UNet
// with the scheduler's forward noising and its ε or v target; optionally the pose guider too. Each
// sample's AUs are dropped (the adapter masked off) and its reference dropped (plain self-attention and a
// zero image embedding) with set probabilities, the conditions of the AU disentanglement guidance's
// branches: (no reference, no AU), (reference, no AU), (reference, AU).
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "render/diffusion/noise_schedule.h"
#include "render/diffusion/pose_guider.h"
#include "render/diffusion/unet_condition_model.h"
#include "train/adamw.h"
#include "train/train_precision.h"

namespace auhead::train {

class DataParallel;

struct AuAdapterBatch {
  torch::Tensor latents;                     // clean latents x0 (N, C, h, w)
  torch::Tensor au;                          // (N, au_dim) in [0, 1]
  torch::Tensor encoder_hidden_states;       // (N, L, D) image embedding; undefined: zeros of one token
  std::vector<torch::Tensor> pose_features;  // precomputed, as UNetConditionModel::forward takes them; or
  torch::Tensor pose_images;                 // (N, 3, P, P) in [0, 1], run through the trainer's pose guider
  render::diffusion::ReferenceBank* bank = nullptr;  // the ReferenceNet's tokens of each sample's reference (N)
  // Optional, one per sample: its timestep, noise and drops are drawn from a generator with this seed
  // (not from the trainer's), so that a sample trains alike in whichever process and batch it falls.
  std::vector<uint64_t> sample_seeds;
};

struct AuAdapterTrainerOptions {
  double au_drop = 0.1;         // probability that a sample trains without its AUs
  double reference_drop = 0.0;  // probability that a sample trains without its reference (needs a bank)
  uint64_t seed = 0;            // timesteps, noise and the drops
  TrainPrecision precision = TrainPrecision::fp32;
  render::diffusion::PoseGuider pose_guider{nullptr};  // runs batch.pose_images
  bool train_pose_guider = false;              // its weights trained too (its BatchNorm keeps its statistics)
};

struct AuAdapterStep {
  double loss = 0, grad_norm = 0;
  bool skipped = false;  // fp16: the gradients overflowed and no update was made
};

class AuAdapterTrainer {
 public:
  // `unet` must have an AU adapter. Everything but the adapter (and the pose guider when trained) is
  // frozen; with bf16/fp16 the frozen weights are cast to that dtype, the trained ones stay float32.
  AuAdapterTrainer(render::diffusion::UNetConditionModel unet, render::diffusion::NoiseScheduleConfig schedule,
                   const AdamWSettings& settings, const AuAdapterTrainerOptions& options);
  AuAdapterTrainer(render::diffusion::UNetConditionModel unet, render::diffusion::NoiseScheduleConfig schedule,
                   const AdamWSettings& settings, double au_drop = 0.1, uint64_t seed = 0);

  // Forward and backward of one micro-batch: noises the latents at random timesteps, predicts, and adds
  // d(weight × MSE)/dθ to the gradients (weight: the micro-batch's share of the step's samples).
  // Returns the micro-batch's MSE.
  double accumulate(const AuAdapterBatch& batch, double weight);
  // Sums the accumulated gradients over a data-parallel group (every process then holds the global
  // batch's), before apply().
  void sum_gradients(DataParallel& group);
  // Unscales and clips the gradients, takes one AdamW step at `lr` and clears them. Returns the norm
  // before clipping (NaN, and no step, when fp16 gradients overflowed).
  double apply(double lr);
  // accumulate() of one batch with weight 1, then apply().
  AuAdapterStep step(const AuAdapterBatch& batch, double lr);

  // The trained parameters under their state-dict names: the UNet's (au_encoder.*, *.attn_au.*,
  // *.norm_au.*), then the pose guider's under "pose_guider." when it is trained.
  const std::vector<std::pair<std::string, torch::Tensor>>& parameters() const { return params_; }
  render::diffusion::UNetConditionModel unet() const { return unet_; }

  // Optimizer moments, loss scale and the trainer's random state, to resume exactly; load_state() of
  // another run's state is an input error naming `source`.
  void save_state(torch::serialize::OutputArchive& archive) const;
  void load_state(torch::serialize::InputArchive& archive, const std::string& source);

 private:
  render::diffusion::UNetConditionModel unet_;
  render::diffusion::NoiseScheduleConfig schedule_;
  AuAdapterTrainerOptions options_;
  torch::ScalarType dtype_;
  torch::Tensor alphas_cumprod_;
  AdamWSettings settings_;
  LossScaler scaler_;
  torch::Generator generator_;
  std::vector<std::pair<std::string, torch::Tensor>> params_;
  std::unique_ptr<torch::optim::AdamW> optimizer_;
};

// True for the parameter names of the AU adapter inside a UNet's state dict.
bool is_au_adapter_parameter(const std::string& name);

}  // namespace auhead::train
