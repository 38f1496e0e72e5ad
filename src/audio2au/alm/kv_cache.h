// Keys and values of the tokens a decoder has already seen, per layer, so that generation runs each
// new token through the network once. Buffers grow by doubling, so appending a token does not copy
// the whole cache and the per-token cost stays flat as the answer grows.
#pragma once
#include <torch/torch.h>

#include <utility>
#include <vector>

namespace auhead::audio2au::alm {

class KvCacheLayer {
 public:
  // Appends k, v (B, kv_heads, T, head_dim); returns views of all keys and values so far (B, kv, S, hd).
  std::pair<torch::Tensor, torch::Tensor> append(const torch::Tensor& k, const torch::Tensor& v);
  int64_t length() const { return length_; }

 private:
  torch::Tensor keys_, values_;  // (B, kv_heads, capacity, head_dim)
  int64_t length_ = 0;
};

struct KvCache {
  std::vector<KvCacheLayer> layers;
  int64_t length() const { return layers.empty() ? 0 : layers[0].length(); }
};

}  // namespace auhead::audio2au::alm
