// A read-only file mapped into memory (private copy-on-write pages), shared by the tensors that view it,
// so that large weight files load without copies and stay mapped while any tensor references them.
#pragma once
#include <cstddef>
#include <filesystem>
#include <memory>

namespace auhead {

class MappedFile {
 public:
  // Maps the whole file; a missing, unreadable or unmappable file is an input error naming it.
  static std::shared_ptr<MappedFile> open(const std::filesystem::path& file);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  // Writable pages (MAP_PRIVATE): in-place changes by a tensor never reach the file.
  std::byte* data() const { return data_; }
  std::size_t size() const { return size_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  MappedFile() = default;
  std::filesystem::path path_;
  std::byte* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace auhead
