#include "core/run_context.h"

#include <unistd.h>

#include <cstdio>
#include <memory>

#include "core/progress.h"

namespace auhead {

namespace {
thread_local const RunHooks* t_hooks = nullptr;
}

RunScope::RunScope(const RunHooks& hooks) : previous_(t_hooks) { t_hooks = &hooks; }
RunScope::~RunScope() { t_hooks = previous_; }

const RunHooks* current_hooks() { return t_hooks; }

void throw_if_cancelled() {
  if (t_hooks && t_hooks->stop.stop_requested()) throw Cancelled();
}

RunHooks terminal_hooks(bool quiet, std::stop_token stop) {
  RunHooks h;
  h.stop = std::move(stop);
  if (quiet) return h;
  h.log = [](LogLevel level, const std::string& message) {
    std::fprintf(stderr, "auhead: %s: %s\n", level == LogLevel::note ? "note" : "warning", message.c_str());
  };
  if (::isatty(STDERR_FILENO)) {
    // One bar per task, drawn by the command line's Progress (which draws only outside a call's
    // scope); a new task ends the previous bar.
    auto bar = std::make_shared<std::unique_ptr<Progress>>();
    auto task = std::make_shared<std::string>();
    h.progress = [bar, task](const std::string& name, int64_t done, int64_t total) {
      if (!*bar || *task != name) {
        if (*bar) (*bar)->finish();
        bar->reset();
        *task = name;
        *bar = std::make_unique<Progress>(name, total, Progress::Draw::always);
      }
      (*bar)->set(done);
      if (done >= total) (*bar)->finish();
    };
  }
  return h;
}

}  // namespace auhead
