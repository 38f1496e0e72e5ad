// Progress of long work. Inside a public API call (core/run_context.h) it reports each step to the
// caller's RunHooks::progress and throws Cancelled once the caller asked to stop; outside one it is the
// command line's bar on stderr, drawn only when stderr is a terminal and --quiet was not given.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

#include "auhead/run_hooks.h"

namespace auhead {

class Progress {
 public:
  // Global switch set by the front end (--quiet).
  static void set_quiet(bool quiet);
  static bool quiet();
  static bool enabled();

  enum class Draw { automatic, always };  // always: the bar itself, whatever the call or --quiet
  Progress(std::string label, int64_t total, Draw draw = Draw::automatic);
  ~Progress();
  void advance(int64_t n = 1);
  void set(int64_t done);
  void finish();

 private:
  void draw(bool final);
  void report();
  std::string label_;
  const RunHooks* hooks_;
  int64_t total_;
  int64_t done_ = 0;
  bool active_;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace auhead
