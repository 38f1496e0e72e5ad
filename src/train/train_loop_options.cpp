#include "auhead/training.h"

#include <cmath>

#include "auhead/error.h"

namespace auhead::train {

int64_t TrainLoopOptions::total_steps(int64_t samples, int64_t per_step) const {
  return max_steps > 0 ? max_steps : epochs * ((samples + per_step - 1) / per_step);
}

int64_t TrainLoopOptions::warmup(int64_t total) const {
  return warmup_steps >= 0 ? warmup_steps : int64_t(std::ceil(warmup_ratio * double(total)));
}

void check_train_loop_options(const TrainLoopOptions& o, const std::string& command) {
  auto need = [](bool ok, const std::string& what) {
    if (!ok) throw usage_error(what);
  };
  need(o.epochs >= 1 && o.epochs <= 100000, "--epochs must be in [1, 100000]");
  need(o.max_steps >= 0 && o.max_steps <= 100000000, "--max-steps must be in [0, 1e8]");
  need(o.batch_size >= 1 && o.batch_size <= 4096, "--batch-size must be in [1, 4096]");
  need(o.grad_accum >= 1 && o.grad_accum <= 65536, "--grad-accum must be in [1, 65536]");
  need(std::isfinite(o.adamw.lr) && o.adamw.lr > 0 && o.adamw.lr <= 1, "--lr must be in (0, 1]");
  need(std::isfinite(o.adamw.weight_decay) && o.adamw.weight_decay >= 0 && o.adamw.weight_decay <= 10, "--weight-decay must be in [0, 10]");
  need(std::isfinite(o.adamw.max_grad_norm) && o.adamw.max_grad_norm >= 0 && o.adamw.max_grad_norm <= 1e6, "--max-grad-norm must be in [0, 1e6]");
  need(std::isfinite(o.warmup_ratio) && o.warmup_ratio >= 0 && o.warmup_ratio <= 1, "--warmup-ratio must be in [0, 1]");
  need(o.warmup_steps <= 100000000, "--warmup-steps must be at most 1e8");
  need(o.save_every >= 0, "--save-every must be >= 0");
  need(o.keep_checkpoints >= 1 && o.keep_checkpoints <= 1000, "--keep-checkpoints must be in [1, 1000]");
  need(!o.output_dir.empty(), command + " needs -o OUTPUT (a folder)");
}

}  // namespace auhead::train
