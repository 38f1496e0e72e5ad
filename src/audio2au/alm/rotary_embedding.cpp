#include "audio2au/alm/rotary_embedding.h"

#include <torch/torch.h>

namespace auhead::audio2au::alm {

RopeTables rope_tables(int64_t head_dim, double theta, int64_t start, int64_t length, torch::ScalarType round_to) {
  torch::Tensor exponent = torch::arange(0, head_dim, 2, torch::kLong).to(torch::kFloat) / static_cast<double>(head_dim);
  torch::Tensor inv_freq = 1.0 / torch::pow(torch::scalar_tensor(theta, torch::kFloat), exponent);
  torch::Tensor pos = torch::arange(start, start + length, torch::kLong).to(torch::kFloat);
  torch::Tensor angles = torch::outer(pos, inv_freq);
  torch::Tensor emb = torch::cat({angles, angles}, -1);
  return {emb.cos().to(round_to).to(torch::kFloat), emb.sin().to(round_to).to(torch::kFloat)};
}

torch::Tensor apply_rope(const torch::Tensor& x, const RopeTables& rope) {
  const int64_t half = x.size(-1) / 2;
  torch::Tensor rotated = torch::cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1);
  return x * rope.cos.to(x.scalar_type()) + rotated * rope.sin.to(x.scalar_type());
}

}  // namespace auhead::audio2au::alm
