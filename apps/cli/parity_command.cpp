// `auhead parity`: checks our networks against the reference outputs recorded in fixtures, one line
// per output tensor; exits 0 only when every comparison passes.
//   --fixtures DIR                        every fixture layout found in DIR (diffusion, ALM, ...)
//   --logmel FILE                         the Whisper log-mel front end
//   --tokenizer tokenizer.json --ids FILE the BPE tokenizer against recorded ids (JSON lines)
#include <cstdio>
#include <string>

#include "auhead/error.h"
#include "auhead/parity.h"
#include "command.h"

namespace auhead::cli {
namespace {

std::size_t print_and_count_failures(const ParityReport& report) {
  std::size_t failed = 0;
  for (const auto& r : report.results) failed += !r.pass;
  std::printf("%zu of %zu outputs within tolerance\n", report.results.size() - failed, report.results.size());
  return failed;
}

CommandRegistration reg(90, [](CLI::App& app, const GlobalOptions& global) {
  auto* cmd = app.add_subcommand("parity", "compare our networks with reference outputs in a fixtures folder");
  auto dir = std::make_shared<std::string>();
  auto logmel = std::make_shared<std::string>();
  auto tokenizer = std::make_shared<std::string>();
  auto ids = std::make_shared<std::string>();
  cmd->add_option("--fixtures", *dir, "folder of parity fixtures (e.g. tests/fixtures/diffusion)");
  cmd->add_option("--logmel", *logmel, "Whisper log-mel fixture (NAME_audio, NAME_logmel128, NAME_logmel80)");
  auto* tok = cmd->add_option("--tokenizer", *tokenizer, "tokenizer.json to check against --ids");
  auto* idf = cmd->add_option("--ids", *ids, "JSON lines {\"text\":..., \"ids\":[...]} for --tokenizer");
  tok->needs(idf);
  idf->needs(tok);
  cmd->callback([=, &global] {
    if (dir->empty() && logmel->empty() && tokenizer->empty())
      throw usage_error("parity: give --fixtures DIR, --logmel FILE or --tokenizer FILE --ids FILE");
    const auto print = [](const ParityResult& r) {
      std::printf("%s\n", format_parity_line(r).c_str());
      std::fflush(stdout);
    };
    std::size_t failed = 0;
    if (!dir->empty()) {
      auto report = run_parity(*dir, print);
      for (const auto& part : report.skipped) warn(global, part + ": no parity check in this build yet (skipped)");
      failed += print_and_count_failures(report);
    }
    if (!logmel->empty()) failed += print_and_count_failures(run_logmel_parity(*logmel, print));
    if (!tokenizer->empty()) {
      auto report = run_tokenizer_parity(*tokenizer, *ids, [](const std::string& line) {
        std::printf("%s\n", line.c_str());
        std::fflush(stdout);
      });
      std::printf("tokenizer: %zu of %zu lines give the recorded ids\n", report.lines - report.mismatches, report.lines);
      failed += report.mismatches + (report.lines == 0);
    }
    if (failed) throw Error(ExitCode::internal, "parity: " + std::to_string(failed) + " check(s) failed");
  });
});
}  // namespace
}  // namespace auhead::cli
