#include "train/au_adapter_trainer.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>

#include "auhead/error.h"

namespace auhead::train {

bool is_au_adapter_parameter(const std::string& k) {
  return k.rfind("au_encoder.", 0) == 0 || k.find(".attn_au.") != std::string::npos || k.find(".norm_au.") != std::string::npos;
}

AuAdapterTrainer::AuAdapterTrainer(diffusion::UNetConditionModel unet, diffusion::NoiseScheduleConfig schedule,
                                   const AdamWSettings& settings, double au_drop, uint64_t seed)
    : unet_(std::move(unet)), schedule_(std::move(schedule)), settings_(settings), au_drop_(au_drop),
      generator_(at::make_generator<at::CPUGeneratorImpl>(seed)) {
  if (!unet_->has_au_adapter()) throw usage_error("train render: the denoising UNet has no AU adapter");
  if (!(au_drop >= 0 && au_drop <= 1)) throw usage_error("train render: the AU drop probability must be in [0, 1]");
  const std::vector<double> ab = diffusion::alphas_cumprod(schedule_);
  alphas_cumprod_ = torch::tensor(ab, torch::kDouble).to(torch::kFloat);
  std::vector<torch::Tensor> trained;
  for (auto& item : unet_->named_parameters(true)) {
    const bool adapter = is_au_adapter_parameter(item.key());
    item.value().set_requires_grad(adapter);
    if (adapter) {
      params_.emplace_back(item.key(), item.value());
      trained.push_back(item.value());
    }
  }
  optimizer_ = make_adamw(trained, settings);
  unet_->train(true);
}

AuAdapterStep AuAdapterTrainer::step(const AuAdapterBatch& batch, double lr) {
  const torch::Tensor& x0 = batch.latents;
  if (x0.dim() != 4 || batch.au.dim() != 2 || batch.au.size(0) != x0.size(0))
    throw usage_error("train render: latents (N, C, h, w) and AUs (N, au_dim) do not match");
  const int64_t n = x0.size(0);
  const auto f = x0.options();
  const torch::Tensor t = torch::randint(schedule_.num_train_timesteps, {n}, generator_, torch::TensorOptions().dtype(torch::kLong));
  const torch::Tensor noise = torch::randn(x0.sizes(), generator_, f);
  const torch::Tensor keep = (torch::rand({n}, generator_, f) >= au_drop_).to(x0.scalar_type());
  const torch::Tensor ab = alphas_cumprod_.index_select(0, t).to(x0.scalar_type()).view({n, 1, 1, 1});
  const torch::Tensor x_t = ab.sqrt() * x0 + (1 - ab).sqrt() * noise;
  const torch::Tensor target = schedule_.prediction_type == diffusion::PredictionType::v_prediction
                                   ? ab.sqrt() * noise - (1 - ab).sqrt() * x0
                                   : noise;
  diffusion::UNetContext context;
  context.encoder_hidden_states = batch.encoder_hidden_states.defined()
                                      ? batch.encoder_hidden_states
                                      : torch::zeros({n, 1, unet_->config().cross_attention_dim}, f);
  context.frames = 1;
  context.au_tokens = unet_->encode_au(batch.au);
  context.au_mask = keep;
  const torch::Tensor pred = unet_->forward(x_t, t, context, batch.pose_features);
  const torch::Tensor loss = torch::mse_loss(pred.to(torch::kFloat), target.to(torch::kFloat));
  loss.backward();

  AuAdapterStep out;
  out.loss = loss.item<double>();
  std::vector<torch::Tensor> trained;
  for (auto& [name, p] : params_) trained.push_back(p);
  out.grad_norm = global_grad_norm(trained);
  clip_grads_to_norm(trained, out.grad_norm, settings_.max_grad_norm);
  adamw_step(*optimizer_, lr);
  return out;
}

}  // namespace auhead::train
