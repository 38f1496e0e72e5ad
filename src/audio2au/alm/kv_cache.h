// Keys and values of the tokens a decoder has already seen, one pair per layer, so that generation
// runs each new token through the network once.
#pragma once
#include <torch/torch.h>

#include <vector>

namespace auhead::alm {

struct KvCache {
  std::vector<torch::Tensor> keys, values;  // per layer: (B, kv_heads, S, head_dim); undefined when empty
  int64_t length() const { return keys.empty() || !keys[0].defined() ? 0 : keys[0].size(2); }
};

}  // namespace auhead::alm
