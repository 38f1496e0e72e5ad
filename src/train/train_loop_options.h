// The options every auhead training run shares: where it writes and resumes, the optimizer, precision,
// length (epochs or steps), batching, warm-up and checkpointing.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>

#include "train/adamw.h"
#include "train/train_precision.h"

namespace auhead::train {

struct TrainLoopOptions {
  std::filesystem::path output_dir;  // checkpoints, log and what the run trains
  std::string resume;                // optional: "latest" or a checkpoint folder of output_dir
  AdamWSettings adamw;               // adamw.lr is the peak rate
  TrainPrecision precision = TrainPrecision::fp32;
  int64_t epochs = 3;
  int64_t max_steps = 0;             // > 0: this many optimizer steps, whatever `epochs` says
  int64_t batch_size = 1;            // samples per micro-batch
  int64_t grad_accum = 1;            // micro-batches per optimizer step
  int64_t warmup_steps = -1;         // < 0: warmup_ratio of the steps, rounded up
  double warmup_ratio = 0.03;
  int64_t save_every = 0;            // > 0: a checkpoint every this many steps (and always at the end)
  int64_t keep_checkpoints = 2;      // older checkpoints are removed
  uint64_t seed = 42;

  // The run's optimizer steps for `samples` samples in global batches of `per_step`, and its warm-up.
  int64_t total_steps(int64_t samples, int64_t per_step) const;
  int64_t warmup(int64_t total) const;
};

// One optimizer step of a run, as its log (train_log.jsonl, trainer_state.json) records it.
struct TrainLogEntry {
  int64_t step = 0, total_steps = 0;  // step counts from 1
  double epoch = 0, loss = 0, grad_norm = 0, lr = 0;  // grad_norm: NaN for a skipped step
  int64_t tokens = 0;                 // answer tokens (0: a run without tokens)
  int64_t samples = 0;
  double seconds = 0;                 // this step's wall time
  bool skipped = false;               // fp16: the gradients overflowed and no update was made
};

// Checks the ranges of the shared options (a usage error naming the option); `command` ("train alm")
// names the command in the message for a missing -o.
void check_train_loop_options(const TrainLoopOptions& o, const std::string& command);

}  // namespace auhead::train
