#include "render/diffusion/attention.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <vector>

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
  const double scale = 1.0 / std::sqrt(static_cast<double>(d));
  // (n*heads, tokens, d); the scores are computed in slices of at most ~4M values, so that large
  // token counts (64x64 latents with reference tokens) never allocate the whole (n, heads, l, m) block.
  torch::Tensor q = (to_q(h) * scale).view({n, l, heads, d}).transpose(1, 2).reshape({n * heads, l, d});
  torch::Tensor k = to_k(c).view({n, m, heads, d}).transpose(1, 2).reshape({n * heads, m, d});
  torch::Tensor v = to_v(c).view({n, m, heads, d}).transpose(1, 2).reshape({n * heads, m, d});
  torch::Tensor bias;
  if (mask.defined()) {
    std::vector<int64_t> shape = mask.sizes().vec();
    while (shape.size() < 4) shape.insert(shape.begin(), 1);
    bias = mask.view(shape).expand({n, heads, shape[2], m}).reshape({n * heads, shape[2], m});
  }
  const int64_t total = n * heads;
  const int64_t chunk = std::max<int64_t>(1, (int64_t{1} << 22) / std::max<int64_t>(1, l * m));
  torch::Tensor out;
  if (chunk >= total) {
    torch::Tensor scores = torch::bmm(q, k.transpose(1, 2));
    if (bias.defined()) scores.add_(bias);
    out = torch::bmm(scores.softmax(-1), v);
  } else {
    out = torch::empty({total, l, d}, q.options());
    for (int64_t i = 0; i < total; i += chunk) {
      const int64_t j = std::min(total, i + chunk);
      torch::Tensor scores = torch::bmm(q.slice(0, i, j), k.slice(0, i, j).transpose(1, 2));
      if (bias.defined()) scores.add_(bias.slice(0, i, j));
      out.slice(0, i, j).copy_(torch::bmm(scores.softmax(-1), v.slice(0, i, j)));
    }
  }
  out = out.view({n, heads, l, d}).transpose(1, 2).reshape({n, l, heads * d});
  return out_proj(out);
}

}  // namespace auhead::diffusion
