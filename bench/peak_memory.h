// The bench programs' memory figure: this process's peak resident set (Linux VmHWM) in MiB, -1 where
// /proc does not say.
#pragma once
#include <cstdlib>
#include <fstream>
#include <string>

inline double peak_resident_mib() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmHWM:", 0) == 0) return std::atof(line.c_str() + 6) / 1024.0;
  return -1;
}
