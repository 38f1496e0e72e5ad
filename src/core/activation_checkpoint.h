// Gradient (activation) checkpointing: a block runs without keeping its intermediate activations and
// is run again during backward to get them, one more forward for a block's worth of memory (the
// reentrant variant of torch.utils.checkpoint). The block's parameters get their gradients during
// that recomputation; the random state (dropout) is replayed so that both runs agree.
#pragma once
#include <torch/torch.h>

#include <functional>

namespace auhead {

using CheckpointBlock = std::function<torch::Tensor(const torch::Tensor&)>;

// block(x) (plainly when autograd is off), differentiable with respect to x and the block's parameters. `block` is copied and kept
// until the backward pass; it must depend on nothing but x and state that does not change meanwhile.
torch::Tensor checkpointed(CheckpointBlock block, const torch::Tensor& x);

}  // namespace auhead
