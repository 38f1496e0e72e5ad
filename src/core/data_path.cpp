#include "core/data_path.h"

#include <cstdlib>

#include "auhead/error.h"
#include "build_config.h"

namespace auhead {

std::filesystem::path data_dir() {
  if (const char* env = std::getenv("AUHEAD_DATA_DIR"); env && *env) return env;
  return AUHEAD_DATA_DIR;
}

std::filesystem::path data_file(std::string_view relative) {
  auto path = data_dir() / relative;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw unavailable_error(path.string() + ": data file missing (set AUHEAD_DATA_DIR to auhead's data/ folder)");
  return path;
}

}  // namespace auhead
