#include "render/diffusion/attention.h"

#include <torch/torch.h>
#include <torch/version.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace auhead::render::diffusion {

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

namespace {

// CUDA's limit on a grid's y and z dimensions.
constexpr int64_t kMaxFusedSlices = 65535;

// Softmax attention over (B, L, d) queries and (B, M, d) keys/values, with an optional additive
// (B, L, M) bias. libtorch 2.x: the fused kernel (flash / memory-efficient on CUDA, its default scale
// 1/sqrt(d)); older libtorch (Debian's 1.13): scaled bmm, softmax, bmm.
torch::Tensor attend(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, const torch::Tensor& bias) {
#if TORCH_VERSION_MAJOR >= 2
  // The fused kernels take (batch, heads, tokens, d); the slices are one batch of B heads.
  torch::Tensor out = bias.defined()
                          ? at::scaled_dot_product_attention(q.unsqueeze(0), k.unsqueeze(0), v.unsqueeze(0), bias.to(q.dtype()).unsqueeze(0))
                          : at::scaled_dot_product_attention(q.unsqueeze(0), k.unsqueeze(0), v.unsqueeze(0));
  return out.squeeze(0);
#else
  torch::Tensor scores = torch::bmm(q * (1.0 / std::sqrt(static_cast<double>(q.size(-1)))), k.transpose(1, 2));
  if (bias.defined()) scores.add_(bias);
  return torch::bmm(scores.softmax(-1), v);
#endif
}

}  // namespace

torch::Tensor AttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& context, const torch::Tensor& mask) {
  torch::Tensor h = pos_encoder ? pos_encoder(x) : x;
  const torch::Tensor& c = context.defined() ? context : h;
  const int64_t n = h.size(0), l = h.size(1), m = c.size(1), heads = options_.heads, d = options_.dim_head;
  // (n*heads, tokens, d). Unfused, the scores are computed in slices of at most ~4M values, so that
  // large token counts (64x64 latents with reference tokens) never allocate the whole (n, heads, l, m)
  // block; the fused CUDA kernel never forms it and runs in as few calls as its grid allows.
  torch::Tensor q = to_q(h).view({n, l, heads, d}).transpose(1, 2).reshape({n * heads, l, d});
  torch::Tensor k = to_k(c).view({n, m, heads, d}).transpose(1, 2).reshape({n * heads, m, d});
  torch::Tensor v = to_v(c).view({n, m, heads, d}).transpose(1, 2).reshape({n * heads, m, d});
  torch::Tensor bias;
  if (mask.defined()) {
    std::vector<int64_t> shape = mask.sizes().vec();
    while (shape.size() < 4) shape.insert(shape.begin(), 1);
    bias = mask.view(shape).expand({n, heads, shape[2], m}).reshape({n * heads, shape[2], m});
  }
  const int64_t total = n * heads;
  const bool fused = TORCH_VERSION_MAJOR >= 2 && q.is_cuda();
  // The fused CUDA kernels put the slices on one grid dimension, at most 65535 blocks: the motion
  // modules' attention over 16 frames at 64x64 latents has 2-3 x 4096 x 8 of them.
  const int64_t chunk = fused ? std::min<int64_t>(total, kMaxFusedSlices)
                              : std::max<int64_t>(1, (int64_t{1} << 22) / std::max<int64_t>(1, l * m));
  torch::Tensor out;
  if (chunk >= total) {
    out = attend(q, k, v, bias);
  } else {
    out = torch::empty({total, l, d}, q.options());
    for (int64_t i = 0; i < total; i += chunk) {
      const int64_t j = std::min(total, i + chunk);
      out.slice(0, i, j).copy_(attend(q.slice(0, i, j), k.slice(0, i, j), v.slice(0, i, j),
                                      bias.defined() ? bias.slice(0, i, j) : torch::Tensor()));
    }
  }
  out = out.view({n, heads, l, d}).transpose(1, 2).reshape({n, l, heads * d});
  return out_proj(out);
}

}  // namespace auhead::render::diffusion
