#include "media/input_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include "auhead/error.h"

namespace fs = std::filesystem;

namespace auhead::media {

std::uintmax_t check_input_file(const fs::path& file) {
  const std::string name = file.string();
  std::error_code ec;
  const fs::file_status st = fs::status(file, ec);
  if (ec || !fs::exists(st)) {
    if (ec && ec != std::errc::no_such_file_or_directory && ec != std::errc::not_a_directory)
      throw input_error(name, "cannot read: " + ec.message());
    throw input_error(name, "no such file");
  }
  if (fs::is_directory(st)) throw input_error(name, "is a folder, not a file");
  std::ifstream in(file, std::ios::binary);
  if (!in) throw input_error(name, std::string("cannot read: ") + std::strerror(errno));
  const std::uintmax_t size = fs::file_size(file, ec);
  return ec ? 0 : size;
}

}  // namespace auhead::media
