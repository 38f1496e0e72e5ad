// Reader and writer for safetensors files (8-byte little-endian header length, JSON header, raw data),
// our own: the reader maps the file and its tensors view the mapping, so checkpoints load without copies.
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "checkpoint/mapped_file.h"

namespace auhead {

// Tensors by name (sorted by name).
using TensorMap = std::map<std::string, torch::Tensor>;

// One opened and validated safetensors file. Tensors it returns view the mapping (which they keep
// alive) unless a copy is asked for; every malformed input is an auhead::Error naming the file.
class SafetensorsFile {
 public:
  explicit SafetensorsFile(const std::filesystem::path& file);

  const std::filesystem::path& path() const { return path_; }
  std::vector<std::string> names() const;  // sorted
  bool contains(const std::string& name) const { return entries_.count(name) != 0; }
  // A missing name is an input error naming the file and the tensor.
  torch::Tensor get(const std::string& name, bool copy = false) const;
  TensorMap all(bool copy = false) const;
  // Dtype and shape without touching the data.
  torch::ScalarType dtype(const std::string& name) const;
  std::vector<int64_t> shape(const std::string& name) const;

 private:
  struct Entry {
    torch::ScalarType dtype;
    std::vector<int64_t> shape;
    std::size_t begin = 0, end = 0;  // offsets into the data section
  };
  const Entry& entry(const std::string& name) const;

  std::filesystem::path path_;
  std::shared_ptr<MappedFile> map_;
  std::size_t data_start_ = 0;
  std::map<std::string, Entry> entries_;
};

// Loads every tensor of a safetensors file (views of the mapping, or copies when `copy`).
TensorMap load_safetensors(const std::filesystem::path& file, bool copy = false);

// Writes the tensors (any device, any layout; stored contiguous, little-endian) atomically: the file
// appears whole or not at all. Unsupported dtypes are output errors naming the tensor.
void save_safetensors(const std::filesystem::path& file, const TensorMap& tensors,
                      const std::map<std::string, std::string>& metadata = {});

// The safetensors dtype name ("F16", "F32", ...) of a torch dtype, and back; throws std::out_of_range.
std::string safetensors_dtype_name(torch::ScalarType dtype);

}  // namespace auhead
