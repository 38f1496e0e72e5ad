// The option style every bench program shares (issue #15): CLI11 options with --help, files as
// positional arguments, --json (bench_report.h), and one way to end: a usage error exits 2 with CLI11's
// message, an auhead::Error prints "<program>: <message>" and exits with its code, anything else 1.
#pragma once
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <functional>

#include "auhead/error.h"
#include "bench_report.h"

namespace auhead::bench {

inline void add_json_option(CLI::App& app, BenchReport& report) {
  app.add_flag("--json", report.json, "each measurement as a JSON line on stdout (the readable lines go to stderr)");
}

// Parses argv with `app` and runs `body`, which returns the exit status.
inline int run_bench(CLI::App& app, const BenchReport& report, int argc, char** argv, const std::function<int()>& body) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;  // --help: 0; a usage error: its message, then 2
  }
  try {
    return body();
  } catch (const auhead::Error& e) {
    std::fprintf(stderr, "%s: %s\n", report.program().c_str(), e.what());
    return int(e.code());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", report.program().c_str(), e.what());
    return 1;
  }
}

}  // namespace auhead::bench
