// One-line notes from library code, e.g. what a renderer defaulted or which device it runs on: to the
// running call's RunHooks::log (core/run_context.h), else to stderr ("auhead: note: ..."), silent under
// the front end's --quiet (the switch in Progress::set_quiet).
#pragma once
#include <string>

namespace auhead {

void print_note(const std::string& message);
// The same for something the user should act on ("auhead: warning: ...").
void print_warning(const std::string& message);

}  // namespace auhead
