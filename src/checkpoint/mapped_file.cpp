#include "checkpoint/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "auhead/error.h"
#include "core/input_file.h"

namespace auhead {

std::shared_ptr<MappedFile> MappedFile::open(const std::filesystem::path& file) {
  check_input_file(file);  // a FIFO or device would block open() or never end
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) throw input_error(file.string(), std::string("cannot read: ") + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    throw input_error(file.string(), std::string("cannot read: ") + std::strerror(err));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    throw input_error(file.string(), "is not a regular file (a FIFO, socket or device)");
  }
  std::shared_ptr<MappedFile> m(new MappedFile());
  m->path_ = file;
  m->size_ = static_cast<std::size_t>(st.st_size);
  if (m->size_ > 0) {
    void* p = ::mmap(nullptr, m->size_, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      int err = errno;
      ::close(fd);
      throw input_error(file.string(), std::string("cannot map into memory: ") + std::strerror(err));
    }
    m->data_ = static_cast<std::byte*>(p);
  }
  ::close(fd);  // the mapping stays valid without the descriptor
  return m;
}

MappedFile::~MappedFile() {
  if (data_) ::munmap(data_, size_);
}

}  // namespace auhead
