// Where auhead's data files (data/: AU bases, prototypes, tables) are: $AUHEAD_DATA_DIR if set,
// otherwise the source tree's data/ folder recorded at build time.
#pragma once
#include <filesystem>
#include <string_view>

namespace auhead {

std::filesystem::path data_dir();
// data_dir() / relative, or an unavailable error naming the missing file.
std::filesystem::path data_file(std::string_view relative);

}  // namespace auhead
