// A terminal progress bar on stderr for long work. It draws only when stderr is a terminal and the
// user did not ask for --quiet, so logs and pipes stay clean.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace auhead {

class Progress {
 public:
  // Global switch set by the front end (--quiet).
  static void set_quiet(bool quiet);
  static bool quiet();
  static bool enabled();

  Progress(std::string label, int64_t total);
  ~Progress();
  void advance(int64_t n = 1);
  void set(int64_t done);
  void finish();

 private:
  void draw(bool final);
  std::string label_;
  int64_t total_;
  int64_t done_ = 0;
  bool active_;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace auhead
