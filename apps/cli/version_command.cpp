// `auhead version`: prints the version and where the build looks for data.
#include <cstdio>

#include "build_config.h"
#include "command.h"

namespace auhead::cli {
namespace {
CommandRegistration reg(100, [](CLI::App& app, const GlobalOptions&) {
  auto* cmd = app.add_subcommand("version", "print the version and data folder");
  cmd->callback([] { std::printf("auhead %s\ndata: %s\n", AUHEAD_VERSION, AUHEAD_DATA_DIR); });
});
}  // namespace
}  // namespace auhead::cli
