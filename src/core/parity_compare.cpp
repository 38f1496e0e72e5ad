#include "core/parity_compare.h"

#include <torch/torch.h>

#include <limits>

namespace auhead {

double parity_tolerance(const torch::Tensor& ref) {
  torch::Tensor finite = ref.masked_select(torch::isfinite(ref));
  const double m = finite.numel() ? finite.abs().max().item<double>() : 0.0;
  return 1e-4 * std::max(1.0, m);
}

ParityResult compare_tensors(const std::string& name, const torch::Tensor& ours, const torch::Tensor& ref) {
  ParityResult r;
  r.name = name;
  const torch::Tensor o = ours.detach().to(torch::kDouble), e = ref.detach().to(torch::kDouble);
  r.tolerance = parity_tolerance(e);
  if (o.sizes() != e.sizes()) {
    r.max_error = std::numeric_limits<double>::infinity();
    r.note = "shape mismatch";
    return r;
  }
  // Where the reference is not finite (inf, NaN), ours must hold the very same value.
  const torch::Tensor ref_finite = torch::isfinite(e);
  const torch::Tensor same_nonfinite = (torch::isnan(e) & torch::isnan(o)) | (o == e);
  const int64_t nonfinite = (~ref_finite).sum().item<int64_t>();
  const bool nonfinite_ok = ((~ref_finite) & ~same_nonfinite).sum().item<int64_t>() == 0;
  const torch::Tensor diff = (o - e).abs().masked_select(ref_finite);
  r.max_error = diff.numel() ? diff.max().item<double>() : 0.0;
  r.pass = nonfinite_ok && r.max_error <= r.tolerance;  // NaN in ours where ref is finite fails
  if (!nonfinite_ok) r.note = "non-finite values differ from the reference";
  else if (nonfinite) r.note = "(reference has " + std::to_string(nonfinite) + " non-finite values; ours match)";
  return r;
}

}  // namespace auhead

namespace auhead {

ParityResult compare_exact(const std::string& name, const torch::Tensor& ours, const torch::Tensor& ref) {
  ParityResult r;
  r.name = name;
  r.tolerance = 0;
  if (ours.sizes() != ref.sizes()) {
    r.max_error = std::numeric_limits<double>::infinity();
    r.note = "shape mismatch";
    return r;
  }
  r.max_error = static_cast<double>((ours.to(torch::kLong) != ref.to(torch::kLong)).sum().item<int64_t>());
  r.pass = r.max_error == 0;
  if (!r.pass) r.note = "ids differ (max_error counts differing ids)";
  return r;
}

}  // namespace auhead
