// `auhead parity` for a LoRA training step (tests/fixtures/qwen2_audio_lora_train/, its README): the
// logits with the adapter, the loss, every LoRA gradient and the gradient norm at step 1, and the
// matrices after one and three AdamW steps, against PyTorch autograd and torch.optim.AdamW.
#pragma once
#include <vector>

#include "core/parity.h"

namespace auhead::train {

// The handler of the qwen2_audio_lora_train layout (listed in pipeline/implementations.cpp).
std::vector<ParityHandler> parity_handlers();

}  // namespace auhead::train
