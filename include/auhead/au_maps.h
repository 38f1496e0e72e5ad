// The structured 2D facial representation that conditions Stage 2 (`auhead aumap`; docs/design.md
// §7.1): for every AU frame, the portrait's landmarks moved by the AUs and drawn as a landmark image,
// and the AU region maps, written as PNG sequences with a JSON legend and optionally a video.
#pragma once
#include <filesystem>
#include <string>

#include "auhead/au_sequence.h"
#include "auhead/run_hooks.h"

namespace auhead {

struct AuMapOptions {
  std::filesystem::path image;       // portrait
  std::filesystem::path output_dir;  // gets landmarks/ and regions/ (PNG sequences) and aumap.json
  std::filesystem::path video;       // optional: landmarks | regions side by side (.mp4)
  int size = 512;                    // frames are size × size (even)
  std::string crop = "face";         // face: a square around the face; image: the whole portrait
  int face_index = -1;               // which face when there are several (-1 or 0: the largest)
};

// Writes the maps of every frame of `aus`, each output whole or not at all; progress goes to hooks.
// Errors: an empty sequence (usage error), the portrait's (no face, unreadable), unwritable outputs.
void write_au_maps(const AuSequence& aus, const AuMapOptions& options, const RunHooks& hooks = {});

}  // namespace auhead
