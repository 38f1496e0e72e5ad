// Rotary position embedding over the whole head (Hugging Face / litgpt "rotate half" layout):
// inv_freq_i = theta^(-2i/d), angles in float32; cos/sin rounded to the model's dtype as the
// reference implementations hold them (litgpt's cache buffers, Hugging Face's cast to x.dtype).
#pragma once
#include <torch/torch.h>

namespace auhead::audio2au::alm {

struct RopeTables {
  torch::Tensor cos, sin;  // (T, head_dim)
};

// Tables for positions start .. start + length - 1, float32 values rounded through `round_to`
// (kHalf / kBFloat16 for a half-precision checkpoint; kFloat keeps them as computed).
RopeTables rope_tables(int64_t head_dim, double theta, int64_t start, int64_t length,
                       torch::ScalarType round_to = torch::kFloat);
// x (B, heads, T, head_dim) rotated by the tables.
torch::Tensor apply_rope(const torch::Tensor& x, const RopeTables& rope);

}  // namespace auhead::audio2au::alm
