// The learning rate of a training step: linear warm-up, then cosine decay to zero, as Hugging Face's
// get_cosine_schedule_with_warmup (the schedule the Qwen2-Audio fine-tuning recipes use).
#pragma once
#include <cstdint>

namespace auhead::train {

// The rate for optimizer step `step` (0-based) of `total`: peak · step / warmup during the warm-up,
// then peak · ½(1 + cos(π · (step − warmup) / (total − warmup))), and 0 from `total` on.
double warmup_cosine_lr(double peak, int64_t step, int64_t warmup, int64_t total);

}  // namespace auhead::train
