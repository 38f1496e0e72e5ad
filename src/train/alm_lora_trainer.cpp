#include "train/alm_lora_trainer.h"

#include <cmath>

#include "auhead/error.h"
#include "train/causal_lm_loss.h"
#include "train/data_parallel.h"
#include "train/lora_adapter.h"

namespace auhead::train {

AlmLoraTrainer::AlmLoraTrainer(audio2au::alm::Qwen2AudioModel model, const AdamWSettings& settings, TrainPrecision precision)
    : model_(std::move(model)), settings_(settings), scaler_(precision) {
  params_ = lora_parameters(*model_);
  if (params_.empty()) throw usage_error("the model carries no LoRA adapter to train");
  if (precision != TrainPrecision::fp32) {
    torch::NoGradGuard no_grad;
    const auto dtype = train_dtype(precision);
    check_train_precision_supported(precision, model_->parameters().front().device());
    for (auto& p : model_->parameters())
      if (!p.requires_grad()) p.set_data(p.to(dtype));
    model_->language_model->set_rope_dtype(dtype);
  }
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
  (loss.sum * (scaler_.scale() / double(total_tokens))).backward();
  return loss.sum.item<double>();
}

double AlmLoraTrainer::apply(double lr) {
  std::vector<torch::Tensor> tensors;
  for (auto& [name, t] : params_) tensors.push_back(t);
  return scaled_adamw_step(*optimizer_, scaler_, tensors, settings_.max_grad_norm, lr);
}

StepResult AlmLoraTrainer::step(const std::vector<AlmTrainBatch>& micro_batches, double lr, DataParallel* group) {
  StepResult r;
  for (const auto& b : micro_batches) r.tokens += answer_tokens(b);
  if (group) r.tokens = int64_t(std::llround(group->sum(double(r.tokens))));  // the global batch's answer tokens
  double sum = 0;
  for (const auto& b : micro_batches) sum += accumulate(b, r.tokens);
  if (group) {
    // Every process then holds the gradient of the global batch's loss, and takes the same step.
    std::vector<torch::Tensor> tensors;
    for (auto& [name, t] : params_) tensors.push_back(t);
    group->sum_gradients(tensors);
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
  scaler_.save(archive);
  archive.write("trainable", torch::tensor(int64_t(params_.size()), torch::kLong));
}

void AlmLoraTrainer::load_state(torch::serialize::InputArchive& archive, const std::string& source) {
  try {
    torch::Tensor trainable;
    archive.read("trainable", trainable);
    if (trainable.item<int64_t>() != int64_t(params_.size()))
      throw input_error(source, "the training state is of a model with other LoRA matrices");
    torch::serialize::InputArchive optimizer;
    archive.read("optimizer", optimizer);
    optimizer_->load(optimizer);
    scaler_.load(archive);
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
