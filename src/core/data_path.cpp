#include "core/data_path.h"

#include <cstdlib>
#include <system_error>

#include "auhead/error.h"
#include "build_config.h"

namespace auhead {

namespace fs = std::filesystem;

const char* version() { return AUHEAD_VERSION; }

namespace {

// <bin>/../share/auhead/<what> of the running program, when that folder exists.
fs::path beside_program(const char* what) {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec || exe.empty()) return {};
  const fs::path dir = exe.parent_path().parent_path() / "share" / "auhead" / what;
  return fs::is_directory(dir, ec) ? dir : fs::path();
}

// The installed layout beside the program, else the source tree while it exists, else the
// configured prefix (the environment is checked by the callers, on every call).
fs::path locate(const char* what, const fs::path& source, const fs::path& installed) {
  if (fs::path p = beside_program(what); !p.empty()) return p;
  std::error_code ec;
  if (fs::is_directory(source, ec)) return source;
  if (fs::is_directory(installed, ec)) return installed;
  return source;  // neither exists: errors then name the build's own folder
}

}  // namespace

fs::path data_dir() {
  if (const char* env = std::getenv("AUHEAD_DATA_DIR"); env && *env) return env;
  static const fs::path dir = locate("data", AUHEAD_DATA_DIR, AUHEAD_INSTALL_DATA_DIR);
  return dir;
}

fs::path models_dir() {
  if (const char* env = std::getenv("AUHEAD_MODELS_DIR"); env && *env) return env;
  static const fs::path dir = locate("models", fs::path(AUHEAD_SOURCE_DIR) / "models", AUHEAD_INSTALL_MODELS_DIR);
  return dir;
}

fs::path data_file(std::string_view relative) {
  auto path = data_dir() / relative;
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    throw unavailable_error(path.string() + ": data file missing (set AUHEAD_DATA_DIR to auhead's data/ folder)");
  return path;
}

}  // namespace auhead
