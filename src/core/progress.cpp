#include "core/progress.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>

#include "core/run_context.h"

namespace auhead {

namespace {
std::atomic<bool> g_quiet{false};
}

void Progress::set_quiet(bool quiet) { g_quiet = quiet; }
bool Progress::quiet() { return g_quiet; }
bool Progress::enabled() { return !g_quiet && ::isatty(STDERR_FILENO); }

Progress::Progress(std::string label, int64_t total, Draw draw_mode)
    : label_(std::move(label)), hooks_(draw_mode == Draw::always ? nullptr : current_hooks()),
      total_(std::max<int64_t>(total, 1)),
      active_(draw_mode == Draw::always || (!hooks_ && enabled())), start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {
  if (active_) draw(false);
  report();
}

void Progress::report() {
  if (!hooks_) return;
  if (hooks_->progress) hooks_->progress(label_, done_, total_);
  if (hooks_->stop.stop_requested()) throw Cancelled();
}

Progress::~Progress() {
  // A bar abandoned by an exception ends its line so that the error message starts clean.
  if (active_ && !finished_) std::fputc('\n', stderr);
}

void Progress::advance(int64_t n) { set(done_ + n); }

void Progress::set(int64_t done) {
  done_ = std::min(done, total_);
  report();
  if (!active_) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ > std::chrono::milliseconds(100)) {
    last_draw_ = now;
    draw(false);
  }
}

void Progress::finish() {
  if (finished_) return;
  done_ = total_;
  if (hooks_ && hooks_->progress) hooks_->progress(label_, done_, total_);
  if (active_) draw(true);
  finished_ = true;
}

void Progress::draw(bool final) {
  constexpr int kWidth = 30;
  double frac = double(done_) / double(total_);
  int filled = int(frac * kWidth);
  std::string bar(filled, '#');
  bar.resize(kWidth, '-');
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::fprintf(stderr, "\r%-16s [%s] %3d%% %lld/%lld %.1fs", label_.c_str(), bar.c_str(), int(frac * 100),
               (long long)done_, (long long)total_, secs);
  if (final) std::fputc('\n', stderr);
  std::fflush(stderr);
}

}  // namespace auhead
