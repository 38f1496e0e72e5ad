// A linear layer that can carry a PEFT LoRA adapter unmerged: y = x Wᵀ + b + scale · B(A(dropout(x))).
// Its parameters keep nn::Linear's names (weight, bias) and the adapter's are lora_A.weight and
// lora_B.weight, PEFT's key names, so a checkpoint and an adapter map onto it one to one. Training
// (train/) attaches adapters; inference merges them into the weight instead (lora_merge.h).
#pragma once
#include <torch/torch.h>

namespace auhead::audio2au::alm {

class LoraLinearImpl : public torch::nn::Module {
 public:
  LoraLinearImpl(int64_t in_features, int64_t out_features, bool bias = true);
  torch::Tensor forward(const torch::Tensor& x);

  // Adds lora_A (r × in) and lora_B (out × r), initialised as PEFT does (A Kaiming-uniform with
  // a = √5, B zero: the layer's output is unchanged until B trains); replaces an attached adapter.
  void attach_lora(int64_t r, double scale, double dropout);
  bool has_lora() const { return !lora_A.is_empty(); }
  double lora_scale() const { return scale_; }

  torch::Tensor weight, bias;
  torch::nn::Linear lora_A{nullptr}, lora_B{nullptr};

 private:
  int64_t in_, out_;
  double scale_ = 0, dropout_ = 0;
};
TORCH_MODULE(LoraLinear);

}  // namespace auhead::audio2au::alm
