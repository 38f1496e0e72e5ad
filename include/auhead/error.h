// The one error type of the public API: a one-line message that names the file and the problem,
// and the process exit code a front end should return for it.
#pragma once
#include <stdexcept>
#include <string>

namespace auhead {

// Documented exit codes of the `auhead` command (README "Exit codes").
enum class ExitCode : int {
  ok = 0,
  internal = 1,     // a bug or an unexpected library failure
  usage = 2,        // bad command line: unknown option, missing argument, value out of range
  bad_input = 3,    // an input file is missing, unreadable, corrupt, empty or malformed
  output = 4,       // an output file or folder cannot be written
  unavailable = 5,  // the requested part (model, generator, renderer) is not available
  cancelled = 6,    // a library call stopped through its RunHooks::stop (never the command's)
};

class Error : public std::runtime_error {
 public:
  Error(ExitCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ExitCode code() const noexcept { return code_; }

 private:
  ExitCode code_;
};

// `text` with control characters (C0, DEL, and C1 as UTF-8) written as \xNN, so that
// bytes taken from an input cannot move the cursor, recolour or clear the user's terminal.
std::string printable(const std::string& text);

// Shorthands that build the message as "<file>: <problem>", made printable().
Error input_error(const std::string& file, const std::string& problem);
Error output_error(const std::string& file, const std::string& problem);
Error usage_error(const std::string& problem);
Error unavailable_error(const std::string& problem);
// A broken promise inside auhead (a bug, never the input's fault): exit code 1, "internal error: ...".
Error internal_error(const std::string& problem);

}  // namespace auhead
