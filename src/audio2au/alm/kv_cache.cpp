#include "audio2au/alm/kv_cache.h"

#include <torch/torch.h>

#include <algorithm>

namespace auhead::audio2au::alm {

std::pair<torch::Tensor, torch::Tensor> KvCacheLayer::append(const torch::Tensor& k, const torch::Tensor& v) {
  const int64_t t = k.size(2), needed = length_ + t;
  if (!keys_.defined() || needed > keys_.size(2)) {
    const int64_t capacity = std::max<int64_t>({needed, keys_.defined() ? 2 * keys_.size(2) : 0, 256});
    auto grow = [&](const torch::Tensor& old, const torch::Tensor& like) {
      torch::Tensor buffer = torch::empty({like.size(0), like.size(1), capacity, like.size(3)}, like.options());
      if (length_ > 0) buffer.narrow(2, 0, length_).copy_(old.narrow(2, 0, length_));
      return buffer;
    };
    keys_ = grow(keys_, k);
    values_ = grow(values_, v);
  }
  keys_.narrow(2, length_, t).copy_(k);
  values_.narrow(2, length_, t).copy_(v);
  length_ = needed;
  return {keys_.narrow(2, 0, length_), values_.narrow(2, 0, length_)};
}

}  // namespace auhead::audio2au::alm
