#include "auhead/command_line.h"

#include "core/atomic_file.h"
#include "core/input_file.h"
#include "core/library_messages.h"
#include "core/progress.h"

namespace auhead {

void start_command_line_run() {
  remove_temporaries_on_signal();
  protect_inputs();
}

void set_command_line_quiet(bool quiet) {
  Progress::set_quiet(quiet);
  route_library_messages(quiet);
}

}  // namespace auhead
