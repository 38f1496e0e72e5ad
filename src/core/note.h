// One-line notes from library code to stderr ("auhead: note: ..."), e.g. what a renderer defaulted or
// which device it runs on; silent under the front end's --quiet (the switch in Progress::set_quiet).
#pragma once
#include <string>

namespace auhead {

void print_note(const std::string& message);

}  // namespace auhead
