// `auhead parity --fixtures DIR`: checks our networks against the reference outputs recorded in DIR,
// one line per output tensor; exits 0 only when every comparison passes.
#include <cstdio>
#include <string>

#include "auhead/error.h"
#include "command.h"
#include "render/diffusion/parity.h"

namespace auhead::cli {
namespace {
CommandRegistration reg(90, [](CLI::App& app, const GlobalOptions& global) {
  auto* cmd = app.add_subcommand("parity", "compare our networks with reference outputs in a fixtures folder");
  auto dir = std::make_shared<std::string>();
  cmd->add_option("--fixtures", *dir, "folder of parity fixtures (e.g. shared/fixtures/diffusion)")->required();
  cmd->callback([dir, &global] {
    auto report = diffusion::run_parity(*dir, [](const diffusion::ParityResult& r) {
      std::printf("%s\n", diffusion::format_parity_line(r).c_str());
      std::fflush(stdout);
    });
    for (const auto& part : report.skipped) warn(global, part + ": no parity check in this build yet (skipped)");
    std::size_t failed = 0;
    for (const auto& r : report.results) failed += !r.pass;
    std::printf("%zu of %zu outputs within tolerance\n", report.results.size() - failed, report.results.size());
    if (failed) throw Error(ExitCode::internal, "parity: " + std::to_string(failed) + " output(s) out of tolerance");
  });
});
}  // namespace
}  // namespace auhead::cli
