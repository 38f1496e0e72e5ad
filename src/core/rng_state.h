// The state of libtorch's default CPU random generator (dropout, random initialisation), to replay a
// computation (activation checkpointing) or to resume training exactly.
#pragma once
#include <torch/torch.h>

namespace auhead {

torch::Tensor cpu_rng_state();
// Throws (a c10::Error) for a tensor that is not a generator state.
void set_cpu_rng_state(const torch::Tensor& state);

}  // namespace auhead
