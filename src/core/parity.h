// How `auhead parity` (auhead/parity.h) finds its checks: each subsystem registers one handler per
// fixture layout it knows (diffusion, ALM, ...); core/parity.cpp only dispatches and reports.
#pragma once
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "auhead/parity.h"

namespace auhead {

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

}  // namespace auhead
