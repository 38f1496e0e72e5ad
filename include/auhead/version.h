// Which auhead this is and where it finds its data files (data/: AU bases, prototypes, tables) and
// downloaded models (models/: face, face-api, qwen): $AUHEAD_DATA_DIR / $AUHEAD_MODELS_DIR, an installed
// layout beside the running program, the source tree it was built from, or the configured install prefix.
#pragma once
#include <filesystem>

namespace auhead {

// "MAJOR.MINOR.PATCH".
const char* version();
std::filesystem::path data_dir();
// The models folder (its subfolders: face, face-api, qwen).
std::filesystem::path models_dir();

}  // namespace auhead
