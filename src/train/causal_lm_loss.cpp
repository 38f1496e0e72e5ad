#include "train/causal_lm_loss.h"

#include "auhead/error.h"

namespace auhead::train {

CausalLmLoss causal_lm_loss(const torch::Tensor& logits, const torch::Tensor& labels) {
  if (logits.dim() != 3 || labels.dim() != 2 || logits.size(0) != labels.size(0) || logits.size(1) != labels.size(1))
    throw usage_error("causal LM loss: logits (B, T, V) and labels (B, T) do not match");
  const int64_t vocab = logits.size(2);
  torch::Tensor target = labels.narrow(1, 1, labels.size(1) - 1).reshape({-1}).to(torch::kLong);
  torch::Tensor valid = target != kIgnoreIndex;
  if ((target.masked_select(valid) < 0).any().item<bool>() || (target.masked_select(valid) >= vocab).any().item<bool>())
    throw usage_error("causal LM loss: a label lies outside the vocabulary");
  torch::Tensor pred = logits.narrow(1, 0, logits.size(1) - 1).reshape({-1, vocab}).to(torch::kFloat);
  CausalLmLoss out;
  out.tokens = valid.sum().item<int64_t>();
  out.sum = torch::nn::functional::cross_entropy(
      pred, target, torch::nn::functional::CrossEntropyFuncOptions().ignore_index(kIgnoreIndex).reduction(torch::kSum));
  return out;
}

CausalLmLoss causal_lm_loss_of_hidden(const torch::Tensor& hidden, const torch::Tensor& labels,
                                      const std::function<torch::Tensor(const torch::Tensor&)>& head) {
  if (hidden.dim() != 3 || labels.dim() != 2 || hidden.size(0) != labels.size(0) || hidden.size(1) != labels.size(1))
    throw usage_error("causal LM loss: hidden states (B, T, H) and labels (B, T) do not match");
  const int64_t width = hidden.size(2);
  torch::Tensor target = labels.narrow(1, 1, labels.size(1) - 1).reshape({-1}).to(torch::kLong);
  torch::Tensor valid = target != kIgnoreIndex;
  torch::Tensor rows = valid.nonzero().reshape({-1});
  torch::Tensor picked = hidden.narrow(1, 0, hidden.size(1) - 1).reshape({-1, width}).index_select(0, rows);
  torch::Tensor logits = head(picked).to(torch::kFloat);
  torch::Tensor kept = target.index_select(0, rows);
  if (kept.numel() > 0 && ((kept < 0).any().item<bool>() || (kept >= logits.size(1)).any().item<bool>()))
    throw usage_error("causal LM loss: a label lies outside the vocabulary");
  CausalLmLoss out;
  out.tokens = kept.numel();
  out.sum = torch::nn::functional::cross_entropy(logits, kept,
                                                 torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum));
  return out;
}

}  // namespace auhead::train
