#include "train/causal_lm_loss.h"

#include "auhead/error.h"

#include <algorithm>

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

CausalLmLoss causal_lm_loss_of_hidden(const torch::Tensor& hidden, const torch::Tensor& labels, int64_t vocab,
                                      const std::function<torch::Tensor(const torch::Tensor&)>& head) {
  if (hidden.dim() != 3 || labels.dim() != 2 || hidden.size(0) != labels.size(0) || hidden.size(1) != labels.size(1))
    throw usage_error("causal LM loss: hidden states (B, T, H) and labels (B, T) do not match");
  const int64_t width = hidden.size(2);
  torch::Tensor target = labels.narrow(1, 1, labels.size(1) - 1).reshape({-1}).to(torch::kLong);
  torch::Tensor valid = target != kIgnoreIndex;
  torch::Tensor rows = valid.nonzero().reshape({-1});
  torch::Tensor picked = hidden.narrow(1, 0, hidden.size(1) - 1).reshape({-1, width}).index_select(0, rows);
  torch::Tensor kept = target.index_select(0, rows);
  CausalLmLoss out;
  out.tokens = kept.numel();
  out.sum = torch::zeros({}, hidden.options().dtype(torch::kFloat));
  // In chunks whose logits stay under glibc's largest mmap threshold (32 MiB): they are then served
  // from the heap and reused step after step, instead of fresh pages that the kernel must zero
  // (at a 152k vocabulary, most of a tiny model's step was that system time).
  const int64_t chunk = std::max<int64_t>(1, (24ll << 20) / (4 * std::max<int64_t>(1, vocab)));
  for (int64_t at = 0; at < kept.numel(); at += chunk) {
    const int64_t n = std::min(chunk, kept.numel() - at);
    torch::Tensor logits = head(picked.narrow(0, at, n)).to(torch::kFloat);
    torch::Tensor want = kept.narrow(0, at, n);
    if (logits.size(1) != vocab || (want < 0).any().item<bool>() || (want >= vocab).any().item<bool>())
      throw usage_error("causal LM loss: a label lies outside the vocabulary");
    out.sum = out.sum + torch::nn::functional::cross_entropy(
                            logits, want, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum));
  }
  return out;
}

}  // namespace auhead::train
