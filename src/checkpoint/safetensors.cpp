#include "checkpoint/safetensors.h"

#include <torch/torch.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "auhead/error.h"
#include "core/atomic_file.h"

namespace auhead {

static_assert(std::endian::native == std::endian::little, "safetensors data is little-endian");

namespace {

// Header lengths above this are not plausible (the reference implementation caps it at 100 MB).
constexpr uint64_t kMaxHeaderBytes = 100ull << 20;

struct DtypeName {
  const char* name;
  torch::ScalarType type;
};
constexpr DtypeName kDtypes[] = {
    {"F16", torch::kHalf},  {"BF16", torch::kBFloat16}, {"F32", torch::kFloat}, {"F64", torch::kDouble},
    {"I64", torch::kLong},  {"I32", torch::kInt},       {"I16", torch::kShort}, {"I8", torch::kChar},
    {"U8", torch::kByte},   {"BOOL", torch::kBool},
};

bool dtype_from_name(const std::string& name, torch::ScalarType& out) {
  for (const auto& d : kDtypes)
    if (name == d.name) {
      out = d.type;
      return true;
    }
  return false;
}

}  // namespace

std::string safetensors_dtype_name(torch::ScalarType dtype) {
  for (const auto& d : kDtypes)
    if (d.type == dtype) return d.name;
  throw std::out_of_range(std::string("dtype ") + c10::toString(dtype) + " has no safetensors name");
}

SafetensorsFile::SafetensorsFile(const std::filesystem::path& file) : path_(file) {
  const std::string f = file.string();
  map_ = MappedFile::open(file);
  const std::size_t size = map_->size();
  if (size < 8)
    throw input_error(f, "truncated safetensors file (" + std::to_string(size) +
                             " bytes; it must start with an 8-byte header length)");
  uint64_t header_len = 0;
  std::memcpy(&header_len, map_->data(), 8);
  if (header_len > kMaxHeaderBytes)
    throw input_error(f, "safetensors header length " + std::to_string(header_len) +
                             " is implausible (not a safetensors file?)");
  if (header_len > size - 8)
    throw input_error(f, "truncated safetensors file: header of " + std::to_string(header_len) +
                             " bytes but only " + std::to_string(size - 8) + " bytes follow");
  if (header_len < 2) throw input_error(f, "bad safetensors header JSON: empty header");
  data_start_ = 8 + header_len;
  const std::size_t data_size = size - data_start_;

  nlohmann::json header;
  try {
    const char* begin = reinterpret_cast<const char*>(map_->data() + 8);
    header = nlohmann::json::parse(begin, begin + header_len);
  } catch (const nlohmann::json::exception& e) {
    throw input_error(f, std::string("bad safetensors header JSON: ") + e.what());
  }
  if (!header.is_object()) throw input_error(f, "bad safetensors header JSON: not an object");

  std::vector<std::pair<std::size_t, std::string>> by_offset;
  for (auto it = header.begin(); it != header.end(); ++it) {
    const std::string& name = it.key();
    if (name == "__metadata__") continue;
    const auto bad = [&](const std::string& what) { return input_error(f, "tensor '" + name + "': " + what); };
    const nlohmann::json& v = it.value();
    if (!v.is_object() || !v.contains("dtype") || !v.contains("shape") || !v.contains("data_offsets"))
      throw bad("bad safetensors header JSON: entry needs dtype, shape and data_offsets");
    Entry e;
    if (!v["dtype"].is_string()) throw bad("bad safetensors header JSON: dtype is not a string");
    const std::string dtype = v["dtype"].get<std::string>();
    if (!dtype_from_name(dtype, e.dtype)) throw bad("unknown or unsupported dtype '" + dtype + "'");
    if (!v["shape"].is_array()) throw bad("bad safetensors header JSON: shape is not a list");
    if (v["shape"].size() > 16) throw bad("bad safetensors header JSON: shape has more than 16 dimensions");
    uint64_t numel = 1;
    for (const auto& d : v["shape"]) {
      if (!d.is_number_unsigned()) throw bad("bad safetensors header JSON: shape has a non-integer or negative size");
      const uint64_t n = d.get<uint64_t>();
      // Every size must be an int64 (torch's), even next to a 0 that makes the product small.
      if (n > uint64_t(INT64_MAX)) throw bad("shape has a size beyond 2^63 - 1");
      if (n != 0 && numel > UINT64_MAX / n) throw bad("shape is too large");
      numel *= n;
      e.shape.push_back(static_cast<int64_t>(n));
    }
    const auto& off = v["data_offsets"];
    if (!off.is_array() || off.size() != 2 || !off[0].is_number_unsigned() || !off[1].is_number_unsigned())
      throw bad("bad safetensors header JSON: data_offsets must be two non-negative integers");
    const uint64_t b = off[0].get<uint64_t>(), en = off[1].get<uint64_t>();
    if (b > en) throw bad("data_offsets [" + std::to_string(b) + ", " + std::to_string(en) + "] are reversed");
    if (en > data_size)
      throw bad("data_offsets [" + std::to_string(b) + ", " + std::to_string(en) +
                "] out of range (data section has " + std::to_string(data_size) + " bytes; file truncated?)");
    const uint64_t itemsize = c10::elementSize(e.dtype);
    if (numel > UINT64_MAX / itemsize || numel * itemsize != en - b)
      throw bad("data_offsets span " + std::to_string(en - b) + " bytes but shape and dtype need " +
                std::to_string(numel) + " x " + std::to_string(itemsize));
    e.begin = b;
    e.end = en;
    by_offset.emplace_back(b, name);
    entries_.emplace(name, std::move(e));
  }
  std::sort(by_offset.begin(), by_offset.end());
  std::size_t max_end = 0;
  const std::string* max_name = nullptr;
  for (const auto& [begin, name] : by_offset) {
    const Entry& cur = entries_.at(name);
    if (cur.end == cur.begin) continue;  // empty tensors occupy nothing
    if (max_name && cur.begin < max_end)
      throw input_error(f, "tensors '" + *max_name + "' and '" + name + "' overlap in the data section");
    if (cur.end > max_end) {
      max_end = cur.end;
      max_name = &name;
    }
  }
}

std::vector<std::string> SafetensorsFile::names() const {
  std::vector<std::string> out;
  out.reserve(entries_.size());
  for (const auto& [name, e] : entries_) out.push_back(name);
  return out;
}

const SafetensorsFile::Entry& SafetensorsFile::entry(const std::string& name) const {
  auto it = entries_.find(name);
  if (it == entries_.end()) throw input_error(path_.string(), "no tensor named '" + name + "'");
  return it->second;
}

torch::ScalarType SafetensorsFile::dtype(const std::string& name) const { return entry(name).dtype; }
std::vector<int64_t> SafetensorsFile::shape(const std::string& name) const { return entry(name).shape; }

torch::Tensor SafetensorsFile::get(const std::string& name, bool copy) const {
  const Entry& e = entry(name);
  const auto options = torch::TensorOptions().dtype(e.dtype);
  if (e.end == e.begin) return torch::empty(e.shape, options);
  std::byte* ptr = map_->data() + data_start_ + e.begin;
  const bool aligned = reinterpret_cast<uintptr_t>(ptr) % c10::elementSize(e.dtype) == 0;
  if (copy || !aligned) {
    torch::Tensor t = torch::empty(e.shape, options);
    std::memcpy(t.data_ptr(), ptr, e.end - e.begin);
    return t;
  }
  std::shared_ptr<MappedFile> keep = map_;
  return torch::from_blob(ptr, e.shape, [keep](void*) mutable { keep.reset(); }, options);
}

TensorMap SafetensorsFile::all(bool copy) const {
  TensorMap out;
  for (const auto& [name, e] : entries_) out.emplace(name, get(name, copy));
  return out;
}

TensorMap load_safetensors(const std::filesystem::path& file, bool copy) {
  return SafetensorsFile(file).all(copy);
}

void save_safetensors(const std::filesystem::path& file, const TensorMap& tensors,
                      const std::map<std::string, std::string>& metadata) {
  const std::string f = file.string();
  nlohmann::json header = nlohmann::json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::vector<torch::Tensor> data;
  data.reserve(tensors.size());
  uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    if (name == "__metadata__") throw output_error(f, "a tensor cannot be named '__metadata__'");
    if (!tensor.defined()) throw output_error(f, "tensor '" + name + "' is undefined");
    std::string dtype;
    try {
      dtype = safetensors_dtype_name(tensor.scalar_type());
    } catch (const std::out_of_range&) {
      throw output_error(f, "tensor '" + name + "' has dtype " + c10::toString(tensor.scalar_type()) +
                                ", which safetensors files cannot hold");
    }
    torch::Tensor t = tensor.detach().to(torch::kCPU).contiguous();
    const uint64_t nbytes = t.numel() * t.element_size();
    header[name] = {{"dtype", dtype}, {"shape", t.sizes().vec()}, {"data_offsets", {offset, offset + nbytes}}};
    offset += nbytes;
    data.push_back(std::move(t));
  }
  std::string text = header.dump();
  while (text.size() % 8 != 0) text.push_back(' ');  // keeps the data section 8-byte aligned
  const uint64_t header_len = text.size();

  AtomicFile out(file);
  {
    std::ofstream os(out.temp_path(), std::ios::binary);
    if (!os) throw output_error(f, std::string("cannot write: ") + std::strerror(errno));
    os.write(reinterpret_cast<const char*>(&header_len), 8);
    os.write(text.data(), static_cast<std::streamsize>(text.size()));
    for (const auto& t : data)
      os.write(static_cast<const char*>(t.data_ptr()), static_cast<std::streamsize>(t.numel() * t.element_size()));
    os.flush();
    if (!os) throw output_error(f, "write failed (disk full?)");
  }
  out.commit();
}

}  // namespace auhead
