// Hugging Face's causal-LM loss: cross entropy of logits[:, :-1] against labels[:, 1:], positions
// labelled -100 ignored. Summed here and divided by the caller, so that gradient accumulation can
// divide by the answer tokens of the whole accumulated batch, as Hugging Face's Trainer does.
#pragma once
#include <torch/torch.h>

#include <functional>

namespace auhead::train {

inline constexpr int64_t kIgnoreIndex = -100;

struct CausalLmLoss {
  torch::Tensor sum;   // summed cross entropy (float32 scalar, differentiable)
  int64_t tokens = 0;  // positions that count (labels[:, 1:] != -100)
};

// logits (B, T, V), labels (B, T) int64. Labels outside [0, V) other than -100 are usage errors.
CausalLmLoss causal_lm_loss(const torch::Tensor& logits, const torch::Tensor& labels);

// The same loss from hidden states (B, T, H) and the vocabulary projection `head` (..., H) -> (..., vocab),
// applied only at the positions that count (the audio and prompt tokens, most of a sequence, never
// meet the vocabulary) and in chunks of rows.
CausalLmLoss causal_lm_loss_of_hidden(const torch::Tensor& hidden, const torch::Tensor& labels, int64_t vocab,
                                      const std::function<torch::Tensor(const torch::Tensor&)>& head);

}  // namespace auhead::train
