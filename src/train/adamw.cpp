#include "train/adamw.h"

#include <algorithm>

namespace auhead::train {

std::unique_ptr<torch::optim::AdamW> make_adamw(const std::vector<torch::Tensor>& params, const AdamWSettings& settings) {
  return std::make_unique<torch::optim::AdamW>(params, torch::optim::AdamWOptions(settings.lr)
                                                           .betas({settings.beta1, settings.beta2})
                                                           .eps(settings.eps)
                                                           .weight_decay(settings.weight_decay));
}

double global_grad_norm(const std::vector<torch::Tensor>& params) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> norms;
  for (const auto& t : params)
    if (t.grad().defined()) norms.push_back(t.grad().norm());
  return norms.empty() ? 0.0 : torch::stack(norms).norm().item<double>();
}

void clip_grads_to_norm(const std::vector<torch::Tensor>& params, double norm, double max_norm) {
  if (max_norm <= 0) return;
  const double coef = std::min(1.0, max_norm / (norm + 1e-6));
  if (coef >= 1.0) return;
  torch::NoGradGuard no_grad;
  for (const auto& t : params)
    if (t.grad().defined()) t.grad().mul_(coef);
}

void adamw_step(torch::optim::AdamW& optimizer, double lr) {
  for (auto& group : optimizer.param_groups()) group.options().set_lr(lr);
  optimizer.step();
  optimizer.zero_grad();
}

}  // namespace auhead::train
