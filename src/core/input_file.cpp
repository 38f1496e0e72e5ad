#include "core/input_file.h"

#include <system_error>

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <utility>

#include "auhead/error.h"

namespace fs = std::filesystem;

namespace auhead {

namespace {
std::mutex g_inputs_mutex;
std::set<std::pair<dev_t, ino_t>> g_inputs;
bool g_protect = false;

bool identity(const fs::path& file, std::pair<dev_t, ino_t>& id) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return false;
  id = {st.st_dev, st.st_ino};
  return true;
}
}  // namespace

void protect_inputs() {
  std::lock_guard lock(g_inputs_mutex);
  g_protect = true;
}

bool is_input_of_this_run(const fs::path& file) {
  std::pair<dev_t, ino_t> id;
  {
    std::lock_guard lock(g_inputs_mutex);
    if (!g_protect || g_inputs.empty()) return false;
  }
  if (!identity(file, id)) return false;
  std::lock_guard lock(g_inputs_mutex);
  return g_inputs.count(id) > 0;
}

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
  if (!fs::is_regular_file(st)) throw input_error(name, "is not a regular file (a FIFO, socket or device)");
  std::ifstream in(file, std::ios::binary);
  if (!in) throw input_error(name, std::string("cannot read: ") + std::strerror(errno));
  if (std::pair<dev_t, ino_t> id; identity(file, id)) {
    std::lock_guard lock(g_inputs_mutex);
    if (g_protect) g_inputs.insert(id);
  }
  const std::uintmax_t size = fs::file_size(file, ec);
  return ec ? 0 : size;
}

std::string read_input_file(const fs::path& file, std::uintmax_t max_bytes) {
  const std::uintmax_t size = check_input_file(file);
  if (size > max_bytes)
    throw input_error(file.string(), "is " + std::to_string(size >> 20) + " MiB; text inputs are limited to " +
                                         std::to_string(max_bytes >> 20) + " MiB");
  std::ifstream in(file, std::ios::binary);
  if (!in) throw input_error(file.string(), std::string("cannot read: ") + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw input_error(file.string(), std::string("cannot read: ") + std::strerror(errno));
  return ss.str();
}

bool path_exists(const std::filesystem::path& path) noexcept {
  std::error_code ec;
  return std::filesystem::exists(path, ec);
}

}  // namespace auhead
