// The precision of a training run, shared by every auhead trainer. fp32: everything in float32. bf16 /
// fp16: the frozen weights in that dtype, the trained ones, their gradients and the optimizer in float32
// (master weights), the loss in float32; fp16 adds dynamic loss scaling (LossScaler).
#pragma once
#include <torch/torch.h>

#include <string>
#include <vector>

#include "auhead/training.h"  // TrainPrecision

namespace auhead::train {

torch::ScalarType train_dtype(TrainPrecision p);
// A usage error when this libtorch has no matrix product in the precision's dtype on `device` (older CPU
// builds lack fp16, some bf16).
void check_train_precision_supported(TrainPrecision p, const torch::Device& device);

// fp16's dynamic loss scale, as torch.cuda.amp.GradScaler: 2^16, halved and the step skipped when the
// gradients overflow, doubled after 2000 clean steps. Other precisions: a scale of 1 that never changes.
class LossScaler {
 public:
  explicit LossScaler(TrainPrecision p) : dynamic_(p == TrainPrecision::fp16), scale_(dynamic_ ? 65536.0 : 1.0) {}
  double scale() const { return scale_; }
  // After backward() of loss × scale(): divides the gradients by the scale and returns their global
  // norm. An overflow (fp16, a non-finite norm) clears the gradients, halves the scale and returns NaN:
  // the caller skips the step.
  double unscale(const std::vector<torch::Tensor>& params);
  // The scale and its count of clean steps, under the keys "loss_scale" and "clean_steps".
  void save(torch::serialize::OutputArchive& archive) const;
  void load(torch::serialize::InputArchive& archive);

 private:
  bool dynamic_;
  double scale_;
  int64_t clean_steps_ = 0;
};

// The end of every trainer's optimizer step: the gradients of `params` unscaled (and checked for an fp16
// overflow), clipped to `max_grad_norm`, one AdamW step at `lr`, the gradients cleared. Returns the norm
// before clipping, or NaN when the step was skipped.
double scaled_adamw_step(torch::optim::AdamW& optimizer, LossScaler& scaler, const std::vector<torch::Tensor>& params,
                         double max_grad_norm, double lr);

}  // namespace auhead::train
