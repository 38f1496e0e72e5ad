// The hooks of the public call running on this thread (include/auhead/run_hooks.h), so that code deep
// in the library — progress, notes, libtorch warnings — reports to the caller's callbacks and honours
// its cancellation. Outside any call, the command line's process-wide behaviour applies.
#pragma once
#include "auhead/run_hooks.h"

namespace auhead {

// Installs `hooks` for this thread until destroyed (scopes nest; the outer ones come back).
class RunScope {
 public:
  explicit RunScope(const RunHooks& hooks);
  ~RunScope();
  RunScope(const RunScope&) = delete;
  RunScope& operator=(const RunScope&) = delete;

 private:
  const RunHooks* previous_;
};

// The hooks of this thread's running call, or nullptr outside any.
const RunHooks* current_hooks();
// Throws Cancelled when this thread's call was asked to stop.
void throw_if_cancelled();

}  // namespace auhead
