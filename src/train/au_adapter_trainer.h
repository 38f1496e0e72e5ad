// One optimisation step of the diffusion renderer's AU adapter (issue #18, item 4, library part): the
// AU token encoder and every transformer block's AU cross-attention (norm_au, attn_au) trained on a
// frozen denoising UNet with the scheduler's forward noising and its ε or v target. The AUs of a
// sample are dropped (the adapter masked off) with a set probability, so that the AU-free branch of
// the AU disentanglement guidance is trained too.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "render/diffusion/noise_schedule.h"
#include "render/diffusion/unet_condition_model.h"
#include "train/adamw.h"

namespace auhead::train {

struct AuAdapterBatch {
  torch::Tensor latents;                     // clean latents x0 (N, C, h, w)
  torch::Tensor au;                          // (N, au_dim) in [0, 1]
  torch::Tensor encoder_hidden_states;       // (N, L, D); undefined: zeros of one token
  std::vector<torch::Tensor> pose_features;  // optional, as UNetConditionModel::forward takes them
};

struct AuAdapterStep {
  double loss = 0, grad_norm = 0;
};

class AuAdapterTrainer {
 public:
  // `unet` must have an AU adapter. Everything but the adapter is frozen. `au_drop` in [0, 1].
  AuAdapterTrainer(diffusion::UNetConditionModel unet, diffusion::NoiseScheduleConfig schedule,
                   const AdamWSettings& settings, double au_drop = 0.1, uint64_t seed = 0);
  // Noises the latents at random timesteps, predicts with the adapter, MSE against the scheduler's
  // target, clips and steps. Returns the loss and the gradient norm before clipping.
  AuAdapterStep step(const AuAdapterBatch& batch, double lr);
  // The trained parameters under the UNet's state-dict names (au_encoder.*, *.attn_au.*, *.norm_au.*).
  const std::vector<std::pair<std::string, torch::Tensor>>& parameters() const { return params_; }
  diffusion::UNetConditionModel unet() const { return unet_; }

 private:
  diffusion::UNetConditionModel unet_;
  diffusion::NoiseScheduleConfig schedule_;
  torch::Tensor alphas_cumprod_;
  AdamWSettings settings_;
  double au_drop_;
  torch::Generator generator_;
  std::vector<std::pair<std::string, torch::Tensor>> params_;
  std::unique_ptr<torch::optim::AdamW> optimizer_;
};

// True for the parameter names of the AU adapter inside a UNet's state dict.
bool is_au_adapter_parameter(const std::string& name);

}  // namespace auhead::train
