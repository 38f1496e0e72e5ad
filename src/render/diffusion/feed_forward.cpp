#include "render/diffusion/feed_forward.h"

#include <torch/torch.h>

namespace auhead::render::diffusion {

namespace {
// Holder of GEGLU's projection so that its parameter is named net.0.proj.
struct GegluHolder : torch::nn::Module {};
}  // namespace

FeedForwardImpl::FeedForwardImpl(int64_t dim, int64_t mult) {
  const int64_t inner = dim * mult;
  auto geglu = std::make_shared<GegluHolder>();
  proj = geglu->register_module("proj", torch::nn::Linear(dim, inner * 2));
  out = torch::nn::Linear(inner, dim);
  net = torch::nn::ModuleList();
  net->push_back(geglu);
  net->push_back(torch::nn::Dropout(0.0));
  net->push_back(out);
  register_module("net", net);
}

torch::Tensor FeedForwardImpl::forward(const torch::Tensor& x) {
  auto parts = proj(x).chunk(2, -1);
  return out(parts[0] * torch::gelu(parts[1]));
}

}  // namespace auhead::render::diffusion
