#include "train/train_precision.h"

#include <cmath>
#include <limits>

#include "auhead/error.h"
#include "train/adamw.h"

namespace auhead::train {

TrainPrecision parse_train_precision(const std::string& name) {
  if (name == "fp32") return TrainPrecision::fp32;
  if (name == "bf16") return TrainPrecision::bf16;
  if (name == "fp16") return TrainPrecision::fp16;
  throw usage_error("--precision must be fp32, bf16 or fp16, got '" + name + "'");
}

torch::ScalarType train_dtype(TrainPrecision p) {
  return p == TrainPrecision::bf16 ? torch::kBFloat16 : p == TrainPrecision::fp16 ? torch::kHalf : torch::kFloat;
}

const char* train_precision_name(TrainPrecision p) {
  return p == TrainPrecision::bf16 ? "bf16" : p == TrainPrecision::fp16 ? "fp16" : "fp32";
}

void check_train_precision_supported(TrainPrecision p, const torch::Device& device) {
  if (p == TrainPrecision::fp32) return;
  torch::NoGradGuard no_grad;
  try {
    auto probe = torch::ones({2, 2}, torch::TensorOptions().dtype(train_dtype(p)).device(device));
    (void)torch::mm(probe, probe);
  } catch (const c10::Error&) {
    throw usage_error(std::string("--precision ") + train_precision_name(p) + ": this libtorch has no matrix product in that dtype on " +
                      device.str() + (p == TrainPrecision::fp16 ? " (use bf16, or a GPU)" : " (use fp32)"));
  }
}

double LossScaler::unscale(const std::vector<torch::Tensor>& params) {
  if (scale_ != 1.0) {
    torch::NoGradGuard no_grad;
    for (const auto& t : params)
      if (t.grad().defined()) t.grad().div_(scale_);
  }
  const double norm = global_grad_norm(params);
  if (!dynamic_) return norm;
  if (!std::isfinite(norm)) {
    torch::NoGradGuard no_grad;
    for (const auto& t : params)
      if (t.grad().defined()) t.grad().zero_();
    scale_ = std::max(1.0, scale_ / 2);
    clean_steps_ = 0;
    return std::numeric_limits<double>::quiet_NaN();
  }
  if (++clean_steps_ >= 2000) scale_ *= 2, clean_steps_ = 0;
  return norm;
}

double scaled_adamw_step(torch::optim::AdamW& optimizer, LossScaler& scaler, const std::vector<torch::Tensor>& params,
                         double max_grad_norm, double lr) {
  const double norm = scaler.unscale(params);
  if (std::isnan(norm)) return norm;  // fp16 overflow: the step is skipped
  clip_grads_to_norm(params, norm, max_grad_norm);
  adamw_step(optimizer, lr);
  return norm;
}

void LossScaler::save(torch::serialize::OutputArchive& archive) const {
  archive.write("loss_scale", torch::tensor(scale_, torch::kDouble));
  archive.write("clean_steps", torch::tensor(clean_steps_, torch::kLong));
}

void LossScaler::load(torch::serialize::InputArchive& archive) {
  torch::Tensor scale, clean;
  archive.read("loss_scale", scale);
  archive.read("clean_steps", clean);
  scale_ = scale.item<double>();
  clean_steps_ = clean.item<int64_t>();
}

}  // namespace auhead::train
