// How a subcommand joins the `auhead` CLI: each command's file registers itself with a static
// CommandRegistration, so commands live side by side without editing a central list.
#pragma once
#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

namespace auhead::cli {

// Options every command shares.
struct GlobalOptions {
  bool quiet = false;
};

// Adds the subcommand to `app`; the callback it sets runs the command and may throw auhead::Error.
using CommandSetup = std::function<void(CLI::App& app, const GlobalOptions& global)>;

struct CommandRegistration {
  CommandRegistration(int order, CommandSetup setup);
};

// Registered commands in `order` (the order `auhead --help` lists them).
std::vector<CommandSetup> registered_commands();

// Prints a one-line warning to stderr ("auhead: warning: ...") unless --quiet.
void warn(const GlobalOptions& global, const std::string& message);

}  // namespace auhead::cli
