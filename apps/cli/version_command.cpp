// `auhead version`: prints the version and where this program finds its data and models.
#include <cstdio>

#include "auhead/version.h"
#include "command.h"

namespace auhead::cli {
namespace {
CommandRegistration reg(100, [](CLI::App& app, const GlobalOptions&) {
  auto* cmd = app.add_subcommand("version", "print the version and the data and models folders");
  cmd->callback([] {
    std::printf("auhead %s\ndata: %s\nmodels: %s\n", auhead::version(), auhead::data_dir().c_str(),
                auhead::models_dir().c_str());
  });
});
}  // namespace
}  // namespace auhead::cli
