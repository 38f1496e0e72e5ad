#include "render/diffusion/vae_attention.h"

#include <torch/torch.h>

#include <cmath>
#include <cstring>

namespace auhead::render::diffusion {

VaeAttentionImpl::VaeAttentionImpl(int64_t channels, int64_t groups, double eps) {
  group_norm = register_module("group_norm", torch::nn::GroupNorm(torch::nn::GroupNormOptions(groups, channels).eps(eps)));
  to_q = register_module("to_q", torch::nn::Linear(channels, channels));
  to_k = register_module("to_k", torch::nn::Linear(channels, channels));
  to_v = register_module("to_v", torch::nn::Linear(channels, channels));
  out_proj = torch::nn::Linear(channels, channels);
  to_out = register_module("to_out", torch::nn::ModuleList(out_proj));
}

torch::Tensor VaeAttentionImpl::forward(const torch::Tensor& x) {
  const auto b = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  torch::Tensor tokens = group_norm(x).view({b, c, h * w}).transpose(1, 2);  // (B, HW, C)
  torch::Tensor q = to_q(tokens), k = to_k(tokens), v = to_v(tokens);
  torch::Tensor scores = torch::matmul(q, k.transpose(1, 2)) * (1.0 / std::sqrt(static_cast<double>(c)));
  torch::Tensor out = out_proj(torch::matmul(scores.softmax(-1), v));
  return out.transpose(1, 2).reshape({b, c, h, w}) + x;
}

void convert_legacy_vae_attention_keys(TensorMap& state) {
  static const std::pair<const char*, const char*> renames[] = {
      {".query.", ".to_q."}, {".key.", ".to_k."}, {".value.", ".to_v."}, {".proj_attn.", ".to_out.0."}};
  TensorMap out;
  for (auto& [key, t] : state) {
    std::string k = key;
    bool renamed = false;
    if (k.find(".attentions.") != std::string::npos) {
      for (const auto& [from, to] : renames) {
        auto pos = k.find(from);
        if (pos != std::string::npos) {
          k.replace(pos, std::strlen(from), to);
          renamed = true;
          break;
        }
      }
    }
    torch::Tensor v = t;
    if (renamed && v.dim() == 4 && v.size(2) == 1 && v.size(3) == 1) v = v.flatten(1);
    out[k] = v;
  }
  state = std::move(out);
}

}  // namespace auhead::render::diffusion
