// libFuzzer harness: PyTorch zip checkpoints (src/checkpoint/torch_checkpoint.h): the zip central directory
// (read_zip_directory, in memory), then libtorch's zip reader and auhead's own unpickler of the state
// dict (load_torch_checkpoint, from a scratch file with a .pth name). Seeds: tests/fuzz/make_torch_seeds.py.
#include <torch/torch.h>

#include <cstddef>
#include <cstdint>

#include "auhead/error.h"
#include "checkpoint/torch_checkpoint.h"
#include "checkpoint/zip_directory.h"
#include "fuzz_util.h"

namespace {

int fuzz_one(const uint8_t* data, size_t size) {
  static auhead::fuzz::ScratchFile file("checkpoint.pth");
  try {
    (void)auhead::read_zip_directory(data, size, "fuzz.pth");
  } catch (const auhead::Error& e) {
    auhead::fuzz::rejected(e);
  }
  const auto& path = file.write(data, size);
  try {
    auhead::TensorMap tensors = auhead::load_torch_checkpoint(path);
    auhead::fuzz::note("read " + std::to_string(tensors.size()) + " tensors");
    for (auto& [name, t] : tensors)
      if (t.defined() && t.numel() > 0) (void)t.contiguous().reshape({-1}).view(torch::kByte).sum().item<int64_t>();
  } catch (const auhead::Error& e) {
    auhead::fuzz::rejected(e);
  }
  return 0;
}

}  // namespace

AUHEAD_FUZZ_ENTRY(fuzz_one)
