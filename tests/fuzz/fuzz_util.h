// Shared helpers of the libFuzzer harnesses (tests/fuzz/fuzz_*.cpp, built by cmake/fuzz.cmake with
// -DAUHEAD_FUZZ=ON, run by scripts/fuzz.sh). A harness feeds the bytes to a reader and swallows
// auhead::Error, the documented way to reject a bad file; anything else that escapes (another
// exception type, a sanitizer report, a crash) is a finding.
#pragma once
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string>
#include <string_view>

#include "auhead/error.h"

namespace auhead::fuzz {

// The oracles beyond "does not crash" (round trips, grammar/parser agreement, resampling of what was
// read) are on unless AUHEAD_FUZZ_ORACLES=0, so that one failing oracle can be set aside while
// looking for crashes.
inline bool oracles_on() {
  static const bool on = [] {
    const char* v = std::getenv("AUHEAD_FUZZ_ORACLES");
    return !(v && std::string_view(v) == "0");
  }();
  return on;
}

// AUHEAD_FUZZ_VERBOSE=1: print why each input was rejected and what was read, to check that seeds
// get past the first checks (replay them with `build-fuzz/fuzz/<harness> FILE...`).
inline bool verbose() {
  static const bool on = [] {
    const char* v = std::getenv("AUHEAD_FUZZ_VERBOSE");
    return v && *v && std::string_view(v) != "0";
  }();
  return on;
}
inline void note(const std::string& what) {
  if (verbose()) std::fprintf(stderr, "==auhead-fuzz== %s\n", what.c_str());
}

// An oracle that failed: a message, then abort() so libFuzzer keeps the input as a crash.
[[noreturn]] inline void oracle_failed(const std::string& what) {
  std::fprintf(stderr, "==auhead-fuzz== ORACLE FAILED: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}
#define AUHEAD_FUZZ_CHECK(cond, what) \
  do {                                \
    if (!(cond)) ::auhead::fuzz::oracle_failed(what); \
  } while (0)

// Called with every auhead::Error a reader throws: the documented rejection of a bad input. One
// with ExitCode::internal ("a bug", README "Exit codes") is an oracle failure.
inline void rejected(const auhead::Error& e) {
  note(e.what());
  if (oracles_on() && e.code() == auhead::ExitCode::internal)
    oracle_failed(std::string("internal error (exit code 1) on an input: ") + e.what());
}

// AUHEAD_FUZZ_IGNORE="text|other text": an exception that escapes a reader and whose what() contains
// one of these is treated as a rejection, so that a known finding does not stop the search for the
// next one (e.g. AUHEAD_FUZZ_IGNORE='out_of_range.406').
inline const std::string& ignore_list() {
  static const std::string list = [] {
    const char* v = std::getenv("AUHEAD_FUZZ_IGNORE");
    return std::string(v ? v : "");
  }();
  return list;
}
inline bool ignoring() { return !ignore_list().empty(); }
inline bool ignored(const char* what) {
  const std::string& list = ignore_list();
  for (size_t begin = 0; begin < list.size();) {
    size_t end = list.find('|', begin);
    if (end == std::string::npos) end = list.size();
    if (end > begin && std::string_view(what).find(std::string_view(list).substr(begin, end - begin)) != std::string_view::npos)
      return true;
    begin = end + 1;
  }
  return false;
}

// Defines LLVMFuzzerTestOneInput around a harness's `int fuzz_one(const uint8_t*, size_t)`. Without
// AUHEAD_FUZZ_IGNORE nothing is caught, so an escaping exception terminates at its throw and the
// report shows where it came from; with it, one that is not ignored is rethrown from here (replay the
// input without AUHEAD_FUZZ_IGNORE for its stack).
#define AUHEAD_FUZZ_ENTRY(fn)                                                   \
  extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {     \
    if (!::auhead::fuzz::ignoring()) return fn(data, size);                     \
    try {                                                                       \
      return fn(data, size);                                                    \
    } catch (const std::exception& e) {                                         \
      if (!::auhead::fuzz::ignored(e.what())) throw;                            \
      ::auhead::fuzz::note(std::string("ignored: ") + e.what());                \
      return 0;                                                                 \
    }                                                                           \
  }

// A file that path-based readers are given, rewritten for every input: $TMPDIR (or /tmp)/
// auhead-fuzz-<pid>/<name>, a folder of its own per process (libFuzzer's fork mode runs several, and
// some readers look beside the file, e.g. for tokenizer_config.json). Keep it in a function-local
// static so that it is removed when libFuzzer exits (a crash leaves it behind).
class ScratchFile {
 public:
  explicit ScratchFile(const std::string& name) {
    const char* tmp = std::getenv("TMPDIR");
    dir_ = std::filesystem::path(tmp && *tmp ? tmp : "/tmp") / ("auhead-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    path_ = dir_ / name;
  }
  ~ScratchFile() {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
    std::filesystem::remove(dir_, ec);  // once the last file is gone
  }
  const std::filesystem::path& write(const void* data, size_t size) {
    std::FILE* f = std::fopen(path_.c_str(), "wb");
    if (!f) std::perror(path_.c_str()), std::abort();
    if (size && std::fwrite(data, 1, size, f) != size) std::perror(path_.c_str()), std::abort();
    std::fclose(f);
    return path_;
  }
  const std::filesystem::path& write(std::string_view bytes) { return write(bytes.data(), bytes.size()); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path dir_, path_;
};

}  // namespace auhead::fuzz
