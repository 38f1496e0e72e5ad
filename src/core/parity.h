// `auhead parity`: runs our modules on the recorded inputs of a fixtures folder and compares every
// recorded output with max |ours - ref| <= 1e-4 * max(1, max|ref|). Each subsystem registers one
// handler per fixture layout it knows (diffusion, ALM, ...); this file only dispatches and reports.
#pragma once
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace auhead {

struct ParityResult {
  std::string name;  // "<fixture>:<tensor>"
  double max_error = 0;
  double tolerance = 0;
  bool pass = false;
  std::string note;  // why it failed when it is not a numeric comparison (shape mismatch)
};

struct ParityReport {
  std::vector<ParityResult> results;
  std::vector<std::string> skipped;  // fixture parts found that no handler covers yet
  bool all_pass() const;
};

using ParityEmit = std::function<void(const ParityResult&)>;

// A fixture layout: `present` says whether `dir` holds (part of) it; `run` compares its outputs and
// throws an input error naming a missing file. `parts` are the folder entries it covers (so they are
// not reported as skipped).
struct ParityHandler {
  std::string name;
  std::vector<std::string> parts;
  std::function<bool(const std::filesystem::path&)> present;
  std::function<void(const std::filesystem::path&, const ParityEmit&)> run;
};

// Adds (or replaces) a handler at run time (the built-in ones are listed in
// pipeline/implementations.cpp); handlers run in name order.
bool register_parity_handler(ParityHandler handler);

// Runs every handler whose fixtures are present in `dir`, calling `on_result` as each output is
// compared. Throws an input error naming what is missing when `dir` holds no fixtures we know or a
// fixture part lacks a file it needs.
ParityReport run_parity(const std::filesystem::path& dir, const ParityEmit& on_result = {});

// One line per result: "name  max|ours-ref|=…  tol=…  PASS|FAIL".
std::string format_parity_line(const ParityResult& r);

}  // namespace auhead
