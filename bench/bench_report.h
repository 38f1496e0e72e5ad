// How a bench program reports (issue #15's one bench style): readable lines by default; with --json
// each measurement is one JSON object on a line of stdout — {"bench": "<program>[.<part>]", then its
// figures and settings} — and the readable lines go to stderr, so `bench_x --json > figures.jsonl`
// collects machine-readable figures while the terminal still shows progress. Needs only nlohmann/json
// (bench_diffusion builds on a GPU machine with nothing but libtorch and that header).
#pragma once
#include <cstdarg>
#include <cstdio>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

namespace auhead::bench {

class BenchReport {
 public:
  explicit BenchReport(std::string program) : program_(std::move(program)) {}
  bool json = false;  // set by the --json option

  // A readable line (printf format; add the '\n'): stdout, or stderr with --json.
  void text(const char* format, ...) const __attribute__((format(printf, 2, 3))) {
    va_list args;
    va_start(args, format);
    std::vfprintf(json ? stderr : stdout, format, args);
    va_end(args);
    std::fflush(json ? stderr : stdout);
  }

  // One measurement as a JSON line (only with --json): "bench" is the program, or "program.part".
  void record(const std::string& part, const nlohmann::json& fields) const {
    if (!json) return;
    nlohmann::json line = {{"bench", part.empty() ? program_ : program_ + "." + part}};
    for (const auto& [key, value] : fields.items()) line[key] = value;
    std::printf("%s\n", line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    std::fflush(stdout);
  }

  const std::string& program() const { return program_; }

 private:
  std::string program_;
};

}  // namespace auhead::bench
