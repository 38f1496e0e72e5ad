// Loads PyTorch zip checkpoints (`torch.save` of a state dict: `.pth`, `.bin`) into name -> tensor maps.
// Our own reader of the pickle program: libtorch 1.13's unpickler turns Python's OrderedDict into None.
#pragma once
#include <filesystem>

#include "checkpoint/safetensors.h"

namespace auhead {

// Reads the state dict saved in a torch zip checkpoint (PyTorch >= 1.6 format). The top object must be
// a dict of tensors (an OrderedDict from `module.state_dict()` or a plain dict); a dict holding a
// "state_dict" or "module" dict of tensors is unwrapped; entries that are not tensors are skipped.
// Tensors are CPU and keep their saved dtypes. Legacy (non-zip) files, unknown pickle content or
// corrupt archives are input errors naming the file.
TensorMap load_torch_checkpoint(const std::filesystem::path& file);

// Loads a state dict by extension: `.safetensors` with the safetensors reader, anything else
// (`.pth`, `.pt`, `.bin`, `.ckpt`) with load_torch_checkpoint.
TensorMap load_state_dict_file(const std::filesystem::path& file);

}  // namespace auhead
