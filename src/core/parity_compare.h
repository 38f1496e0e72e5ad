// Tensor comparison used by the parity checks: max |ours - ref| against 1e-4 * max(1, max|ref|).
#pragma once
#include <torch/torch.h>

#include <string>

#include "core/parity.h"

namespace auhead {

// 1e-4 * max(1, max|ref|).
double parity_tolerance(const torch::Tensor& ref);
// Compares in float64; a shape mismatch fails with a note, NaN fails.
ParityResult compare_tensors(const std::string& name, const torch::Tensor& ours, const torch::Tensor& ref);

}  // namespace auhead

namespace auhead {
// Integer tensors (token ids): exact equality; max_error counts the differing elements.
ParityResult compare_exact(const std::string& name, const torch::Tensor& ours, const torch::Tensor& ref);
}  // namespace auhead
