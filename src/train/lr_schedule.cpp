#include "train/lr_schedule.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace auhead::train {

double warmup_cosine_lr(double peak, int64_t step, int64_t warmup, int64_t total) {
  if (step < warmup) return peak * double(step) / double(std::max<int64_t>(1, warmup));
  if (step >= total) return 0.0;
  const double progress = double(step - warmup) / double(std::max<int64_t>(1, total - warmup));
  return peak * std::max(0.0, 0.5 * (1.0 + std::cos(std::numbers::pi * progress)));
}

}  // namespace auhead::train
