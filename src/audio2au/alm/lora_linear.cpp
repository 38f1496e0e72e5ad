#include "audio2au/alm/lora_linear.h"

#include <cmath>

namespace auhead::audio2au::alm {

namespace nn = torch::nn;

LoraLinearImpl::LoraLinearImpl(int64_t in_features, int64_t out_features, bool with_bias)
    : in_(in_features), out_(out_features) {
  // nn::Linear's initialisation, so that a model built without a checkpoint behaves the same.
  weight = register_parameter("weight", torch::empty({out_features, in_features}));
  nn::init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (with_bias) {
    const double bound = in_features > 0 ? 1.0 / std::sqrt(static_cast<double>(in_features)) : 0.0;
    bias = register_parameter("bias", torch::empty({out_features}).uniform_(-bound, bound));
  }
}

void LoraLinearImpl::attach_lora(int64_t r, double scale, double dropout) {
  if (lora_A) {
    unregister_module("lora_A");
    unregister_module("lora_B");
  }
  auto options = weight.options().requires_grad(false);
  lora_A = register_module("lora_A", nn::Linear(nn::LinearOptions(in_, r).bias(false)));
  lora_B = register_module("lora_B", nn::Linear(nn::LinearOptions(r, out_).bias(false)));
  lora_A->to(options.dtype().toScalarType());
  lora_B->to(options.dtype().toScalarType());
  torch::NoGradGuard no_grad;
  nn::init::kaiming_uniform_(lora_A->weight, std::sqrt(5.0));
  lora_B->weight.zero_();
  scale_ = scale;
  dropout_ = dropout;
}

torch::Tensor LoraLinearImpl::forward(const torch::Tensor& x) {
  torch::Tensor y = torch::nn::functional::linear(x, weight, bias);
  if (!lora_A) return y;
  torch::Tensor h = dropout_ > 0 ? torch::dropout(x, dropout_, is_training()) : x;
  // The adapter keeps its own dtype (float32 master weights under a bf16 base when training).
  const auto lora_dtype = lora_A->weight.scalar_type();
  return y + (lora_B(lora_A(h.to(lora_dtype))) * scale_).to(y.scalar_type());
}

}  // namespace auhead::audio2au::alm
