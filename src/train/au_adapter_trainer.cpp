#include "train/au_adapter_trainer.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>

#include "auhead/error.h"
#include "train/data_parallel.h"

namespace auhead::train {

bool is_au_adapter_parameter(const std::string& k) { return render::diffusion::is_au_adapter_key(k); }

AuAdapterTrainer::AuAdapterTrainer(render::diffusion::UNetConditionModel unet, render::diffusion::NoiseScheduleConfig schedule,
                                   const AdamWSettings& settings, double au_drop, uint64_t seed)
    : AuAdapterTrainer(std::move(unet), std::move(schedule), settings, AuAdapterTrainerOptions{au_drop, 0.0, seed}) {}

AuAdapterTrainer::AuAdapterTrainer(render::diffusion::UNetConditionModel unet, render::diffusion::NoiseScheduleConfig schedule,
                                   const AdamWSettings& settings, const AuAdapterTrainerOptions& options)
    : unet_(std::move(unet)), schedule_(std::move(schedule)), options_(options), dtype_(train_dtype(options.precision)),
      settings_(settings), scaler_(options.precision), generator_(at::make_generator<at::CPUGeneratorImpl>(options.seed)) {
  if (!unet_->has_au_adapter()) throw usage_error("train render: the denoising UNet has no AU adapter");
  if (!(options.au_drop >= 0 && options.au_drop <= 1)) throw usage_error("train render: --au-drop must be in [0, 1]");
  if (!(options.reference_drop >= 0 && options.reference_drop <= 1))
    throw usage_error("train render: --reference-drop must be in [0, 1]");
  if (options.train_pose_guider && !options.pose_guider) throw usage_error("train render: no pose guider to train");
  check_train_precision_supported(options.precision, unet_->parameters().front().device());
  const std::vector<double> ab = render::diffusion::alphas_cumprod(schedule_);
  alphas_cumprod_ = torch::tensor(ab, torch::kDouble).to(torch::kFloat);
  std::vector<torch::Tensor> trained;
  {
    torch::NoGradGuard no_grad;
    for (auto& item : unet_->named_parameters(true)) {
      const bool adapter = is_au_adapter_parameter(item.key());
      torch::Tensor p = item.value();
      p.set_requires_grad(adapter);
      if (adapter) {
        if (p.scalar_type() != torch::kFloat) p.set_data(p.to(torch::kFloat));
        params_.emplace_back(item.key(), p);
        trained.push_back(p);
      } else if (p.scalar_type() != dtype_) {
        p.set_data(p.to(dtype_));
      }
    }
    for (auto& b : unet_->buffers(true))
      if (b.is_floating_point() && b.scalar_type() != dtype_) b.set_data(b.to(dtype_));
    if (options_.pose_guider) {
      options_.pose_guider->to(torch::kFloat);
      for (auto& item : options_.pose_guider->named_parameters(true)) {
        item.value().set_requires_grad(options_.train_pose_guider);
        if (options_.train_pose_guider) {
          params_.emplace_back("pose_guider." + item.key(), item.value());
          trained.push_back(item.value());
        }
      }
      options_.pose_guider->eval();  // BatchNorm keeps its running statistics
    }
  }
  optimizer_ = make_adamw(trained, settings);
  unet_->train(true);
}

double AuAdapterTrainer::accumulate(const AuAdapterBatch& batch, double weight) {
  const torch::Tensor& x0 = batch.latents;
  if (x0.dim() != 4 || batch.au.dim() != 2 || batch.au.size(0) != x0.size(0))
    throw usage_error("train render: latents (N, C, h, w) and AUs (N, au_dim) do not match");
  const int64_t n = x0.size(0);
  const auto f32 = x0.options().dtype(torch::kFloat);
  const auto cpu32 = torch::TensorOptions().dtype(torch::kFloat);  // drawn on the CPU: the same on every device
  torch::Tensor t, noise, keep_au, keep_ref;  // keep_ref is drawn only with a reference bank
  auto draw = [&](torch::Generator& g, int64_t count) {
    t = torch::randint(schedule_.num_train_timesteps, {count}, g, torch::TensorOptions().dtype(torch::kLong));
    noise = torch::randn({count, x0.size(1), x0.size(2), x0.size(3)}, g, cpu32);
    keep_au = (torch::rand({count}, g, cpu32) >= options_.au_drop).to(torch::kFloat);
    if (batch.bank) keep_ref = (torch::rand({count}, g, cpu32) >= options_.reference_drop).to(torch::kFloat);
  };
  if (batch.sample_seeds.empty()) {
    draw(generator_, n);
  } else {
    if (int64_t(batch.sample_seeds.size()) != n) throw usage_error("train render: one sample seed per sample");
    std::vector<torch::Tensor> ts, noises, aus, refs;
    for (int64_t i = 0; i < n; ++i) {
      torch::Generator g = at::make_generator<at::CPUGeneratorImpl>(batch.sample_seeds[std::size_t(i)]);
      draw(g, 1);
      ts.push_back(t), noises.push_back(noise), aus.push_back(keep_au);
      if (batch.bank) refs.push_back(keep_ref);
    }
    t = torch::cat(ts), noise = torch::cat(noises), keep_au = torch::cat(aus);
    if (batch.bank) keep_ref = torch::cat(refs);
  }
  noise = noise.to(x0.device());
  keep_au = keep_au.to(x0.device());
  if (keep_ref.defined()) keep_ref = keep_ref.to(x0.device());
  const torch::Tensor x = x0.to(torch::kFloat);
  const torch::Tensor ab = alphas_cumprod_.index_select(0, t).view({n, 1, 1, 1}).to(x0.device());
  const torch::Tensor x_t = ab.sqrt() * x + (1 - ab).sqrt() * noise;
  const torch::Tensor target = schedule_.prediction_type == render::diffusion::PredictionType::v_prediction
                                   ? ab.sqrt() * noise - (1 - ab).sqrt() * x
                                   : noise;
  render::diffusion::UNetContext context;
  torch::Tensor embeds = batch.encoder_hidden_states.defined()
                             ? batch.encoder_hidden_states.to(torch::kFloat)
                             : torch::zeros({n, 1, unet_->config().cross_attention_dim}, f32);
  if (batch.bank) {
    context.mode = render::diffusion::ReferenceMode::read;
    context.bank = batch.bank;
    context.reference_mask = keep_ref;
    embeds = embeds * keep_ref.view({n, 1, 1});  // no reference: no image embedding either
  }
  context.encoder_hidden_states = embeds.to(dtype_);
  context.frames = 1;
  context.au_tokens = unet_->encode_au(batch.au);
  context.au_mask = keep_au;
  std::vector<torch::Tensor> pose = batch.pose_features;
  if (batch.pose_images.defined()) {
    if (!options_.pose_guider) throw usage_error("train render: pose images given, but no pose guider");
    for (const auto& feature : options_.pose_guider->forward(batch.pose_images.to(torch::kFloat).unsqueeze(2)))
      pose.push_back(feature.select(2, 0));
  }
  for (auto& p : pose) p = p.to(dtype_);
  const torch::Tensor pred = unet_->forward(x_t.to(dtype_), t, context, pose);
  const torch::Tensor loss = torch::mse_loss(pred.to(torch::kFloat), target);
  (loss * (weight * scaler_.scale())).backward();
  return loss.item<double>();
}

void AuAdapterTrainer::sum_gradients(DataParallel& group) {
  std::vector<torch::Tensor> trained;
  for (auto& [name, p] : params_) trained.push_back(p);
  group.sum_gradients(trained);
}

double AuAdapterTrainer::apply(double lr) {
  std::vector<torch::Tensor> trained;
  for (auto& [name, p] : params_) trained.push_back(p);
  return scaled_adamw_step(*optimizer_, scaler_, trained, settings_.max_grad_norm, lr);
}

AuAdapterStep AuAdapterTrainer::step(const AuAdapterBatch& batch, double lr) {
  AuAdapterStep out;
  out.loss = accumulate(batch, 1.0);
  out.grad_norm = apply(lr);
  out.skipped = std::isnan(out.grad_norm);
  return out;
}

void AuAdapterTrainer::save_state(torch::serialize::OutputArchive& archive) const {
  torch::serialize::OutputArchive optimizer;
  optimizer_->save(optimizer);
  archive.write("optimizer", optimizer);
  scaler_.save(archive);
  archive.write("trainable", torch::tensor(int64_t(params_.size()), torch::kLong));
  archive.write("generator", generator_.get_state());
}

void AuAdapterTrainer::load_state(torch::serialize::InputArchive& archive, const std::string& source) {
  try {
    torch::Tensor trainable, generator;
    archive.read("trainable", trainable);
    if (trainable.item<int64_t>() != int64_t(params_.size()))
      throw input_error(source, "the training state is of a run that trained other parameters (--train-guider?)");
    torch::serialize::InputArchive optimizer;
    archive.read("optimizer", optimizer);
    optimizer_->load(optimizer);
    scaler_.load(archive);
    archive.read("generator", generator);
    generator_.set_state(generator);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw input_error(source, std::string("not a training state of this run: ") + e.what());
  }
}

}  // namespace auhead::train
