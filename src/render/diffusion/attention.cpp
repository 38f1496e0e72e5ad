#include "render/diffusion/attention.h"

#include <torch/torch.h>

#include <cmath>

namespace auhead::diffusion {

AttentionImpl::AttentionImpl(const AttentionOptions& options) : options_(options) {
  const int64_t inner = options_.heads * options_.dim_head;
  const int64_t ctx = options_.context_dim > 0 ? options_.context_dim : options_.query_dim;
  to_q = register_module("to_q", torch::nn::Linear(torch::nn::LinearOptions(options_.query_dim, inner).bias(false)));
  to_k = register_module("to_k", torch::nn::Linear(torch::nn::LinearOptions(ctx, inner).bias(false)));
  to_v = register_module("to_v", torch::nn::Linear(torch::nn::LinearOptions(ctx, inner).bias(false)));
  out_proj = torch::nn::Linear(inner, options_.query_dim);
  to_out = register_module("to_out", torch::nn::ModuleList(out_proj));
  if (options_.position_encoding_max_len > 0)
    pos_encoder = register_module("pos_encoder", PositionalEncoding(options_.query_dim, options_.position_encoding_max_len));
}

void AttentionImpl::zero_output() {
  torch::NoGradGuard no_grad;
  out_proj->weight.zero_();
  out_proj->bias.zero_();
}

torch::Tensor AttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& context, const torch::Tensor& mask) {
  torch::Tensor h = pos_encoder ? pos_encoder(x) : x;
  const torch::Tensor& c = context.defined() ? context : h;
  const int64_t n = h.size(0), l = h.size(1), m = c.size(1), heads = options_.heads, d = options_.dim_head;
  torch::Tensor q = to_q(h).view({n, l, heads, d}).transpose(1, 2);
  torch::Tensor k = to_k(c).view({n, m, heads, d}).transpose(1, 2);
  torch::Tensor v = to_v(c).view({n, m, heads, d}).transpose(1, 2);
  torch::Tensor scores = torch::matmul(q, k.transpose(-1, -2)) * (1.0 / std::sqrt(static_cast<double>(d)));
  if (mask.defined()) scores = scores + mask;
  torch::Tensor out = torch::matmul(scores.softmax(-1), v).transpose(1, 2).reshape({n, l, heads * d});
  return out_proj(out);
}

}  // namespace auhead::diffusion
