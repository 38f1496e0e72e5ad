#include "core/note.h"

#include <cstdio>

#include "core/progress.h"
#include "core/run_context.h"

namespace auhead {

namespace {
void print(LogLevel level, const std::string& message) {
  if (const RunHooks* hooks = current_hooks()) {
    if (hooks->log) hooks->log(level, printable(message));
    return;
  }
  if (!Progress::quiet())
    std::fprintf(stderr, "auhead: %s: %s\n", level == LogLevel::note ? "note" : "warning", printable(message).c_str());
}
}  // namespace

void print_note(const std::string& message) { print(LogLevel::note, message); }
void print_warning(const std::string& message) { print(LogLevel::warning, message); }

}  // namespace auhead
