// Where auhead's data files (data/: AU bases, prototypes, tables) and downloaded models (models/:
// face, face-api, qwen) are. In order: $AUHEAD_DATA_DIR / $AUHEAD_MODELS_DIR; an installed layout
// beside the running program (<bin>/../share/auhead/{data,models}, so an installed tree can move);
// the source tree this was built from, when it still exists (running from the build folder); the
// install prefix configured at build time (a program linking an installed libauhead).
#pragma once
#include <filesystem>
#include <string_view>

#include "auhead/version.h"  // data_dir(), models_dir()

namespace auhead {

// data_dir() / relative, or an unavailable error naming the missing file.
std::filesystem::path data_file(std::string_view relative);

}  // namespace auhead
