#include "core/library_messages.h"

#include <c10/util/Exception.h>

#include <cstdio>
#include <mutex>
#include <set>
#include <string>

#include <opencv2/core/utils/logger.hpp>

#include "auhead/error.h"

namespace auhead {

namespace {

class WarningLine : public c10::WarningHandler {
 public:
  bool quiet = false;
  void process(const c10::SourceLocation&, const std::string& msg, const bool) override {
    if (quiet) return;
    std::string line = printable(msg.substr(0, msg.find('\n')));
    std::lock_guard lock(mutex_);
    if (!seen_.insert(line).second) return;
    std::fprintf(stderr, "auhead: warning: %s\n", line.c_str());
  }

 private:
  std::mutex mutex_;
  std::set<std::string> seen_;
};

}  // namespace

void route_library_messages(bool quiet) {
  static WarningLine handler;  // lives as long as the process, as libtorch requires
  handler.quiet = quiet;
  c10::Warning::set_warning_handler(&handler);
  cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
}

}  // namespace auhead
