#include "core/note.h"

#include <cstdio>

#include "core/progress.h"

namespace auhead {

void print_note(const std::string& message) {
  if (!Progress::quiet()) std::fprintf(stderr, "auhead: note: %s\n", message.c_str());
}

}  // namespace auhead
