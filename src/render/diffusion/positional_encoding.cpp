#include "render/diffusion/positional_encoding.h"

#include <torch/torch.h>

#include <cmath>

#include "auhead/error.h"

namespace auhead::render::diffusion {

PositionalEncodingImpl::PositionalEncodingImpl(int64_t dim, int64_t max_len) {
  torch::Tensor table = torch::zeros({1, max_len, dim});
  if (!table.is_meta()) {  // built on the meta device (shape checks) the values do not matter
    torch::Tensor position = torch::arange(max_len, torch::kFloat).unsqueeze(1);
    torch::Tensor angle = position * torch::exp(torch::arange(0, dim, 2, torch::kFloat) * (-std::log(10000.0) / static_cast<double>(dim)));
    using torch::indexing::Slice;
    table.index_put_({0, Slice(), Slice(0, torch::indexing::None, 2)}, torch::sin(angle));
    table.index_put_({0, Slice(), Slice(1, torch::indexing::None, 2)}, torch::cos(angle).slice(1, 0, dim / 2));
  }
  pe = register_buffer("pe", table);
}

torch::Tensor PositionalEncodingImpl::forward(const torch::Tensor& x) {
  if (x.size(1) > pe.size(1))
    throw Error(ExitCode::bad_input, "temporal position encoding covers " + std::to_string(pe.size(1)) +
                                         " frames, got " + std::to_string(x.size(1)));
  return x + pe.slice(1, 0, x.size(1));
}

}  // namespace auhead::render::diffusion
