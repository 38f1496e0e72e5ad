// How a subcommand joins the `auhead` CLI: each command's file registers itself with a static
// CommandRegistration, so commands live side by side without editing a central list.
#pragma once
#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdlib>
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

// A number a user types: finite and within [lo, hi]. CLI11's PositiveNumber, NonNegativeNumber and
// Range let "nan" and "inf" through (every comparison with NaN is false).
inline CLI::Validator finite_range(double lo, double hi) {
  auto text = [](double x) {
    std::string t = std::to_string(x);
    t.erase(t.find_last_not_of('0') + 1);
    if (!t.empty() && t.back() == '.') t.pop_back();
    return t;
  };
  std::string range = "[" + text(lo) + ", " + text(hi) + "]";
  return CLI::Validator(
      [lo, hi, range](std::string& s) -> std::string {
        char* end = nullptr;
        const double v = std::strtod(s.c_str(), &end);
        if (end == s.c_str() || *end != '\0' || !std::isfinite(v)) return "must be a finite number, got '" + s + "'";
        if (v < lo || v > hi) return "must be in " + range + ", got " + s;
        return {};
      },
      "NUMBER in " + range);
}

// Prints a one-line warning to stderr ("auhead: warning: ...") unless --quiet.
void warn(const GlobalOptions& global, const std::string& message);

}  // namespace auhead::cli
