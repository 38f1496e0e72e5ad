// What a caller of the public API hears from one call and how it stops it: notes and warnings go to
// `log`, long work reports to `progress`, and a stop requested on `stop` ends the call with
// auhead::Cancelled at the next frame or token. Without hooks a call prints nothing.
#pragma once
#include <cstdint>
#include <functional>
#include <stop_token>
#include <string>

#include "auhead/error.h"

namespace auhead {

enum class LogLevel { note, warning };

struct RunHooks {
  // One line per message, control characters already escaped. Called on the calling thread.
  std::function<void(LogLevel level, const std::string& message)> log;
  // `task` ("rendering", "writing AUs", "sampling", ...) has done `done` of `total` steps; called on
  // the calling thread after every step, so keep it cheap.
  std::function<void(const std::string& task, int64_t done, int64_t total)> progress;
  // Cancellation: once stop is requested, the call throws Cancelled at its next step and leaves no
  // output file behind.
  std::stop_token stop;
};

class Cancelled : public Error {
 public:
  Cancelled() : Error(ExitCode::cancelled, "cancelled") {}
};

// The command line's hooks: "auhead: note: ..." / "auhead: warning: ..." lines and a progress bar on
// stderr (the bar only when stderr is a terminal); with `quiet`, nothing.
RunHooks terminal_hooks(bool quiet, std::stop_token stop = {});

}  // namespace auhead
