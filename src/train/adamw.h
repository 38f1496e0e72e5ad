// The optimiser every auhead trainer shares: AdamW (decoupled weight decay, as torch.optim.AdamW) with
// global-norm gradient clipping (as torch.nn.utils.clip_grad_norm_).
#pragma once
#include <torch/torch.h>

#include <memory>
#include <vector>

#include "auhead/training.h"  // AdamWSettings

namespace auhead::train {

std::unique_ptr<torch::optim::AdamW> make_adamw(const std::vector<torch::Tensor>& params, const AdamWSettings& settings);

// The norm of the per-tensor gradient norms (tensors without a gradient are skipped; 0 if none).
double global_grad_norm(const std::vector<torch::Tensor>& params);

// Scales the gradients by max_norm / (norm + 1e-6) when that is below 1 (nothing when max_norm ≤ 0).
void clip_grads_to_norm(const std::vector<torch::Tensor>& params, double norm, double max_norm);

// Sets the learning rate of every group, steps, and clears the gradients.
void adamw_step(torch::optim::AdamW& optimizer, double lr);

}  // namespace auhead::train
