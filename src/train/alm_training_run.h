// `auhead train alm`: LoRA fine-tuning of a Qwen2-Audio-layout model on a chat JSONL (alm_chat_dataset.h)
// — shuffled epochs, micro-batches with gradient accumulation, warm-up + cosine learning rate, AdamW with
// global-norm clipping, fp32/bf16/fp16, optional gradient checkpointing — with checkpoints that resume
// exactly and a final PEFT adapter that `--au-model` and Hugging Face PEFT load.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "train/alm_lora_trainer.h"
#include "train/lora_adapter.h"
#include "train/train_loop_options.h"

namespace auhead::train {

struct AlmTrainOptions : TrainLoopOptions {
  std::filesystem::path model_dir;   // the base: a Hugging Face Qwen2-Audio folder without an adapter
  std::filesystem::path data_file;   // chat JSONL
  std::filesystem::path adapter;     // optional: a PEFT adapter to go on training (its r, alpha, targets)
  LoraSpec lora;
  bool gradient_checkpointing = false;
  int64_t max_tokens = 4096;
};

// Checks the ranges of every option (a usage error naming the option).
void check_alm_train_options(const AlmTrainOptions& o);

using AlmTrainLogEntry = TrainLogEntry;

struct AlmTrainReport {
  int64_t first_step = 0;  // > 0 when resumed: the steps before it came from a checkpoint
  int64_t steps = 0, samples = 0, tokens = 0;  // what this run trained
  double seconds = 0;
  std::vector<AlmTrainLogEntry> log;           // every step, the resumed ones included
};

// Trains; `on_step` sees each step as it ends. OUTPUT gets checkpoint-N/ folders (adapter, trainer
// state, optimizer state, random state), train_log.jsonl (a line per step), and at the end the adapter
// (adapter_config.json + adapter_model.safetensors) beside links to the base model's files and an
// auhead_alm.json with the training prompt, so that `--au-model OUTPUT` runs the fine-tuned model.
AlmTrainReport train_alm(const AlmTrainOptions& options, const std::function<void(const AlmTrainLogEntry&)>& on_step = {});

}  // namespace auhead::train
