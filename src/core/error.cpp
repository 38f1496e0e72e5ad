#include "auhead/error.h"

namespace auhead {

Error input_error(const std::string& file, const std::string& problem) {
  return Error(ExitCode::bad_input, file + ": " + problem);
}
Error output_error(const std::string& file, const std::string& problem) {
  return Error(ExitCode::output, file + ": " + problem);
}
Error usage_error(const std::string& problem) { return Error(ExitCode::usage, problem); }
Error unavailable_error(const std::string& problem) { return Error(ExitCode::unavailable, problem); }

}  // namespace auhead
