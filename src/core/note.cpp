#include "core/note.h"

#include <cstdio>

#include "core/progress.h"
#include "core/run_context.h"

namespace auhead {

void print_note(const std::string& message) {
  if (const RunHooks* hooks = current_hooks()) {
    if (hooks->log) hooks->log(LogLevel::note, printable(message));
    return;
  }
  if (!Progress::quiet()) std::fprintf(stderr, "auhead: note: %s\n", message.c_str());
}

}  // namespace auhead
