#include "render/diffusion/parity_compare.h"

#include <torch/torch.h>

#include <limits>

namespace auhead::diffusion {

double parity_tolerance(const torch::Tensor& ref) {
  const double m = ref.numel() ? ref.abs().max().item<double>() : 0.0;
  return 1e-4 * std::max(1.0, m);
}

ParityResult compare_tensors(const std::string& name, const torch::Tensor& ours, const torch::Tensor& ref) {
  ParityResult r;
  r.name = name;
  r.tolerance = parity_tolerance(ref.to(torch::kDouble));
  if (ours.sizes() != ref.sizes()) {
    r.max_error = std::numeric_limits<double>::infinity();
    r.note = "shape mismatch";
    return r;
  }
  r.max_error = ours.numel() ? (ours.to(torch::kDouble) - ref.to(torch::kDouble)).abs().max().item<double>() : 0.0;
  r.pass = r.max_error <= r.tolerance;  // NaN fails
  return r;
}

}  // namespace auhead::diffusion
