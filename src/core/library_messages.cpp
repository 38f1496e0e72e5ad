#include "core/library_messages.h"

#include <c10/util/Exception.h>

#include <cstdio>
#include <mutex>
#include <set>
#include <string>

#include <opencv2/core/utils/logger.hpp>

#include "auhead/error.h"
#include "core/run_context.h"

namespace auhead {

namespace {

class WarningLine : public c10::WarningHandler {
 public:
  bool quiet = false;
  void process(const c10::SourceLocation&, const std::string& msg, const bool) override {
    std::string line = printable(msg.substr(0, msg.find('\n')));
    if (const RunHooks* hooks = current_hooks()) {  // a public API call: its own log
      if (hooks->log) hooks->log(LogLevel::warning, line);
      return;
    }
    if (quiet) return;
    std::lock_guard lock(mutex_);
    if (!seen_.insert(line).second) return;
    std::fprintf(stderr, "auhead: warning: %s\n", line.c_str());
  }

 private:
  std::mutex mutex_;
  std::set<std::string> seen_;
};

}  // namespace

namespace {
WarningLine& warning_line() {
  static WarningLine handler;  // lives as long as the process, as libtorch requires
  return handler;
}
}  // namespace

void route_library_messages(bool quiet) {
  warning_line().quiet = quiet;
  route_library_messages();
}

void route_library_messages() {
  c10::Warning::set_warning_handler(&warning_line());
  cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
}

}  // namespace auhead
