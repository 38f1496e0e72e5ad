// Runs the built `auhead` command in a shell for end-to-end tests, capturing exit code and output.
#pragma once
#include <cstdio>
#include <filesystem>
#include <string>
#include <sys/wait.h>

#include "build_config.h"
#include "test_util.h"

namespace auhead::test {

struct CliResult {
  int code = -1;
  std::string output;  // stdout and stderr together
};

// Runs a shell command line (its own redirections included) and collects what it prints.
inline CliResult run_shell(const std::string& cmd) {
  CliResult r;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) r.output.append(buf, n);
  int status = pclose(pipe);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

inline CliResult run_cli(const std::string& args) {
  return run_shell(std::string(AUHEAD_CLI_PATH) + " " + args + " 2>&1 </dev/null");
}

inline std::string example(const std::string& file) { return std::string(AUHEAD_SOURCE_DIR) + "/examples/" + file; }

}  // namespace auhead::test
