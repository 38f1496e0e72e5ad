// The `auhead` command: thin front end over libauhead. Each subcommand lives in its own file and
// registers itself (command.h); this file parses, dispatches and maps errors to exit codes.
#include <cstdio>
#include <exception>
#include <map>
#include <string>

#include "auhead/command_line.h"
#include "auhead/error.h"
#include "auhead/version.h"
#include "command.h"

namespace auhead::cli {

namespace {
std::multimap<int, CommandSetup>& registry() {
  static std::multimap<int, CommandSetup> r;
  return r;
}
}  // namespace

CommandRegistration::CommandRegistration(int order, CommandSetup setup) {
  registry().emplace(order, std::move(setup));
}

std::vector<CommandSetup> registered_commands() {
  std::vector<CommandSetup> out;
  for (auto& [order, setup] : registry()) out.push_back(setup);
  return out;
}

void warn(const GlobalOptions& global, const std::string& message) {
  if (!global.quiet) std::fprintf(stderr, "auhead: warning: %s\n", printable(message).c_str());
}

}  // namespace auhead::cli

static const char* kExitCodes =
    "Exit codes:\n"
    "  0  success\n"
    "  1  internal error (a bug: please report it)\n"
    "  2  bad command line (unknown option, missing or out-of-range value)\n"
    "  3  bad input file (missing, unreadable, corrupt, empty or malformed)\n"
    "  4  output cannot be written\n"
    "  5  requested part not available (generator, renderer or model)\n";

// An error is one line on the terminal: the first line of the message (libtorch's carry C++
// frames after it), control characters escaped.
static std::string one_line(const std::string& what) {
  return auhead::printable(what.substr(0, what.find('\n')));
}

int main(int argc, char** argv) {
  using namespace auhead;
  start_command_line_run();
  cli::GlobalOptions global;
  CLI::App app{"auhead: speech + portrait -> talking-head video controlled by facial Action Units"};
  app.set_version_flag("--version", std::string("auhead ") + version());
  app.footer(kExitCodes);
  app.require_subcommand(1);
  app.add_flag("-q,--quiet", global.quiet, "no progress bars or warnings")->configurable(false);
  app.fallthrough();
  for (auto& setup : cli::registered_commands()) setup(app, global);
  app.parse_complete_callback([&] { set_command_line_quiet(global.quiet); });
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "auhead: error: %s\n", one_line(e.what()).c_str());
    return int(ExitCode::usage);
  } catch (const Error& e) {
    std::fprintf(stderr, "auhead: error: %s\n", one_line(e.what()).c_str());
    return int(e.code());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "auhead: internal error: %s\n", one_line(e.what()).c_str());
    return int(ExitCode::internal);
  }
  return 0;
}
