// libFuzzer harness: the safetensors reader (src/checkpoint/safetensors.h): header length, JSON header,
// tensor table, data offsets. SafetensorsFile maps a path, so the bytes go to a scratch file first.
// Every tensor is then read as a view of the mapping and as a copy, and through load_state_dict_file
// (the entry point model folders use).
#include <torch/torch.h>

#include <cstddef>
#include <cstdint>

#include "auhead/error.h"
#include "checkpoint/safetensors.h"
#include "checkpoint/torch_checkpoint.h"
#include "fuzz_util.h"

namespace {

int fuzz_one(const uint8_t* data, size_t size) {
  static auhead::fuzz::ScratchFile file("model.safetensors");
  const auto& path = file.write(data, size);
  try {
    auhead::SafetensorsFile st(path);
    auhead::fuzz::note("read " + std::to_string(st.names().size()) + " tensors");
    for (const std::string& name : st.names()) {
      (void)st.dtype(name);
      const std::vector<int64_t> shape = st.shape(name);
      torch::Tensor view = st.get(name);
      torch::Tensor copy = st.get(name, /*copy=*/true);
      AUHEAD_FUZZ_CHECK(view.sizes().vec() == shape && copy.sizes().vec() == shape,
                        "tensor '" + name + "': shape() disagrees with get()");
      // Touch every byte of the view (the mapping) as raw bytes, whatever the dtype.
      if (view.numel() > 0) (void)view.contiguous().reshape({-1}).view(torch::kByte).sum().item<int64_t>();
    }
    (void)auhead::load_state_dict_file(path);
  } catch (const auhead::Error& e) {
    auhead::fuzz::rejected(e);
  }
  return 0;
}

}  // namespace

AUHEAD_FUZZ_ENTRY(fuzz_one)
