#include "train/alm_lora_trainer.h"

#include <cmath>
#include <limits>

#include "auhead/error.h"
#include "train/causal_lm_loss.h"
#include "train/data_parallel.h"
#include "train/lora_adapter.h"

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

AlmLoraTrainer::AlmLoraTrainer(alm::Qwen2AudioModel model, const AdamWSettings& settings, TrainPrecision precision)
    : model_(std::move(model)), settings_(settings), precision_(precision) {
  params_ = lora_parameters(*model_);
  if (params_.empty()) throw usage_error("the model carries no LoRA adapter to train");
  if (precision != TrainPrecision::fp32) {
    torch::NoGradGuard no_grad;
    const auto dtype = train_dtype(precision);
    const auto device = model_->parameters().front().device();
    try {  // older CPU builds of libtorch have no fp16 (or bf16) matrix product
      auto probe = torch::ones({2, 2}, torch::TensorOptions().dtype(dtype).device(device));
      (void)torch::mm(probe, probe);
    } catch (const c10::Error&) {
      throw usage_error(std::string("--precision ") + (precision == TrainPrecision::fp16 ? "fp16" : "bf16") +
                        ": this libtorch has no matrix product in that dtype on " + device.str() +
                        (precision == TrainPrecision::fp16 ? " (use bf16, or a GPU)" : " (use fp32)"));
    }
    for (auto& p : model_->parameters())
      if (!p.requires_grad()) p.set_data(p.to(dtype));
    model_->language_model->set_rope_dtype(dtype);
  }
  if (precision == TrainPrecision::fp16) loss_scale_ = 65536.0;
  std::vector<torch::Tensor> tensors;
  for (auto& [name, t] : params_) tensors.push_back(t);
  optimizer_ = make_adamw(tensors, settings);
  model_->train(true);
}

torch::Tensor AlmLoraTrainer::logits(const AlmTrainBatch& batch) {
  return model_->language_model->project(hidden(batch));
}

torch::Tensor AlmLoraTrainer::hidden(const AlmTrainBatch& batch) {
  const int64_t b = batch.input_ids.size(0);
  if (batch.labels.sizes() != batch.input_ids.sizes())
    throw usage_error("training batch: labels and input_ids differ in shape");
  std::vector<torch::Tensor> rows;
  for (int64_t i = 0; i < b; ++i) {
    torch::Tensor audio = i < int64_t(batch.audio_embeds.size()) ? batch.audio_embeds[i] : torch::Tensor();
    rows.push_back(model_->embed(batch.input_ids.narrow(0, i, 1), audio));
  }
  return model_->language_model->hidden_states(torch::cat(rows, 0));
}

double AlmLoraTrainer::accumulate(const AlmTrainBatch& batch, int64_t total_tokens) {
  auto head = [&](const torch::Tensor& h) { return model_->language_model->project(h); };
  CausalLmLoss loss = causal_lm_loss_of_hidden(hidden(batch), batch.labels, model_->language_model->config().vocab_size, head);
  if (total_tokens <= 0) return 0;
  (loss.sum * (loss_scale_ / double(total_tokens))).backward();
  return loss.sum.item<double>();
}

double AlmLoraTrainer::apply(double lr) {
  std::vector<torch::Tensor> tensors;
  for (auto& [name, t] : params_) tensors.push_back(t);
  if (loss_scale_ != 1.0) {
    torch::NoGradGuard no_grad;
    for (auto& t : tensors)
      if (t.grad().defined()) t.grad().div_(loss_scale_);
  }
  const double norm = global_grad_norm(tensors);
  if (precision_ == TrainPrecision::fp16) {
    if (!std::isfinite(norm)) {  // overflow: skip the step, halve the scale
      optimizer_->zero_grad();
      loss_scale_ = std::max(1.0, loss_scale_ / 2);
      clean_steps_ = 0;
      return std::numeric_limits<double>::quiet_NaN();
    }
    if (++clean_steps_ >= 2000) loss_scale_ *= 2, clean_steps_ = 0;
  }
  clip_grads_to_norm(tensors, norm, settings_.max_grad_norm);
  adamw_step(*optimizer_, lr);
  return norm;
}

StepResult AlmLoraTrainer::step(const std::vector<AlmTrainBatch>& micro_batches, double lr, DataParallel* group) {
  StepResult r;
  for (const auto& b : micro_batches) r.tokens += answer_tokens(b);
  if (group) r.tokens = int64_t(std::llround(group->sum(double(r.tokens))));  // the global batch's answer tokens
  double sum = 0;
  for (const auto& b : micro_batches) sum += accumulate(b, r.tokens);
  if (group) {
    // Every process then holds the gradient of the global batch's loss, and takes the same step.
    std::vector<torch::Tensor> grads;
    for (auto& [name, t] : params_) {
      if (!t.grad().defined()) t.mutable_grad() = torch::zeros_like(t);
      grads.push_back(t.grad());
    }
    group->sum(grads);
    sum = group->sum(sum);
  }
  r.loss = r.tokens > 0 ? sum / double(r.tokens) : 0;
  r.grad_norm = apply(lr);
  r.skipped = std::isnan(r.grad_norm);
  return r;
}

void AlmLoraTrainer::save_state(torch::serialize::OutputArchive& archive) const {
  torch::serialize::OutputArchive optimizer;
  optimizer_->save(optimizer);
  archive.write("optimizer", optimizer);
  archive.write("loss_scale", torch::tensor(loss_scale_, torch::kDouble));
  archive.write("clean_steps", torch::tensor(clean_steps_, torch::kLong));
  archive.write("trainable", torch::tensor(int64_t(params_.size()), torch::kLong));
}

void AlmLoraTrainer::load_state(torch::serialize::InputArchive& archive, const std::string& source) {
  try {
    torch::Tensor trainable, scale, clean;
    archive.read("trainable", trainable);
    if (trainable.item<int64_t>() != int64_t(params_.size()))
      throw input_error(source, "the training state is of a model with other LoRA matrices");
    archive.read("loss_scale", scale);
    archive.read("clean_steps", clean);
    torch::serialize::InputArchive optimizer;
    archive.read("optimizer", optimizer);
    optimizer_->load(optimizer);
    loss_scale_ = scale.item<double>();
    clean_steps_ = clean.item<int64_t>();
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw input_error(source, std::string("not a training state of this run: ") + e.what());
  }
}

AlmTrainBatch collate(const std::vector<std::vector<int64_t>>& ids, const std::vector<std::vector<int64_t>>& labels,
                      std::vector<torch::Tensor> audio_embeds, int64_t pad_id) {
  std::size_t longest = 0;
  for (const auto& v : ids) longest = std::max(longest, v.size());
  const int64_t b = int64_t(ids.size()), t = int64_t(longest);
  AlmTrainBatch batch;
  batch.input_ids = torch::full({b, t}, pad_id, torch::kLong);
  batch.labels = torch::full({b, t}, kIgnoreIndex, torch::kLong);
  for (int64_t i = 0; i < b; ++i) {
    const int64_t n = int64_t(ids[i].size());
    if (labels[i].size() != ids[i].size()) throw usage_error("collate: ids and labels differ in length");
    batch.input_ids[i].narrow(0, 0, n).copy_(torch::tensor(ids[i], torch::kLong));
    batch.labels[i].narrow(0, 0, n).copy_(torch::tensor(labels[i], torch::kLong));
  }
  batch.audio_embeds = std::move(audio_embeds);
  return batch;
}

int64_t answer_tokens(const AlmTrainBatch& batch) {
  torch::Tensor target = batch.labels.narrow(1, 1, batch.labels.size(1) - 1);
  return (target != kIgnoreIndex).sum().item<int64_t>();
}

}  // namespace auhead::train
