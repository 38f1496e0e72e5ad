// One optimisation step of LoRA fine-tuning on a Qwen2-Audio-layout model (issue #18): the audio
// tower and projector frozen, the LoRA matrices trained with Hugging Face's causal-LM loss over the
// answer tokens, gradients accumulated over micro-batches, clipped to a global norm, and AdamW
// (decoupled weight decay, as torch.optim.AdamW). `auhead parity` checks it against PyTorch.
#pragma once
#include <torch/torch.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "audio2au/alm/qwen2_audio_model.h"
#include "train/adamw.h"
#include "train/train_precision.h"

namespace auhead::train {

class DataParallel;

// A micro-batch: ids and labels (B, T), right-padded (padding labelled -100; the attention is
// causal, so padding after a sample's last token changes nothing before it); per sample, the
// projected audio embeddings (1, N, H) that replace its N audio tokens, or an undefined tensor.
struct AlmTrainBatch {
  torch::Tensor input_ids, labels;
  std::vector<torch::Tensor> audio_embeds;
};

struct StepResult {
  double loss = 0;       // mean over the step's answer tokens, before the update
  double grad_norm = 0;  // global norm before clipping
  int64_t tokens = 0;
  bool skipped = false;  // fp16: the gradients overflowed and no update was made
};

class AlmLoraTrainer {
 public:
  // `model` must carry LoRA adapters (lora_adapter.h); everything else is frozen here.
  AlmLoraTrainer(audio2au::alm::Qwen2AudioModel model, const AdamWSettings& settings,
                 TrainPrecision precision = TrainPrecision::fp32);

  // Logits (B, T, V) of a batch, differentiable with respect to the LoRA matrices.
  torch::Tensor logits(const AlmTrainBatch& batch);
  torch::Tensor hidden(const AlmTrainBatch& batch);  // the final-norm hidden states (B, T, H)
  // Forward and backward of one micro-batch: adds d(loss_sum / total_tokens)/dθ to the gradients,
  // where total_tokens counts the answer tokens of every micro-batch of the step. Returns the summed loss.
  double accumulate(const AlmTrainBatch& batch, int64_t total_tokens);
  // Clips the accumulated gradients, takes one AdamW step at `lr` and clears them. Returns the norm
  // before clipping (NaN, and no step taken, when fp16 gradients overflowed).
  double apply(double lr);
  // accumulate() over the micro-batches, then apply(). With a data-parallel group, the micro-batches are
  // this process's share of the global batch: token counts, gradients and the loss are summed over
  // the processes before the step, so every process takes the step single-process training would.
  StepResult step(const std::vector<AlmTrainBatch>& micro_batches, double lr, DataParallel* group = nullptr);

  // The trainable matrices under their PEFT keys.
  const std::vector<std::pair<std::string, torch::Tensor>>& parameters() const { return params_; }
  torch::optim::AdamW& optimizer() { return *optimizer_; }
  double loss_scale() const { return scaler_.scale(); }

  // The optimizer's moments and step counts and the loss scaler, to resume exactly (the LoRA
  // matrices themselves are saved as an adapter). load_state() of a file of another run is an
  // input error naming it.
  void save_state(torch::serialize::OutputArchive& archive) const;
  void load_state(torch::serialize::InputArchive& archive, const std::string& source);
  audio2au::alm::Qwen2AudioModel& model() { return model_; }

 private:
  audio2au::alm::Qwen2AudioModel model_;
  AdamWSettings settings_;
  LossScaler scaler_;
  std::vector<std::pair<std::string, torch::Tensor>> params_;
  std::unique_ptr<torch::optim::AdamW> optimizer_;
};

// Right-pads sequences of ids and labels into one batch (ids with `pad_id`, labels with -100).
AlmTrainBatch collate(const std::vector<std::vector<int64_t>>& ids, const std::vector<std::vector<int64_t>>& labels,
                      std::vector<torch::Tensor> audio_embeds, int64_t pad_id);

// Answer tokens of a batch (labels[:, 1:] != -100).
int64_t answer_tokens(const AlmTrainBatch& batch);

}  // namespace auhead::train
