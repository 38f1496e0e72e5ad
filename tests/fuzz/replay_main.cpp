// Replays the libFuzzer harnesses' inputs in the normal (GCC, unsanitised) build: `fuzz_replay
// HARNESS PATH...` feeds every file under the paths to that harness, so that the seed corpora and the
// reproducers of every fixed finding (tests/fuzz/findings/) run with the unit tests (CTest
// FuzzReplay.*). A reader that throws anything but auhead::Error, or crashes, fails the test; the
// sanitiser checks need the fuzz build (scripts/fuzz.sh).
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz_replay_harnesses.h"  // generated: kHarnesses, one entry per tests/fuzz/fuzz_*.cpp

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: fuzz_replay HARNESS PATH...\n");
    return 2;
  }
  const std::string name = argv[1];
  int (*one)(const uint8_t*, size_t) = nullptr;
  for (const auto& h : kHarnesses)
    if (name == h.name) one = h.one;
  if (!one) {
    std::fprintf(stderr, "fuzz_replay: no harness %s\n", name.c_str());
    return 2;
  }
  std::vector<std::filesystem::path> files;
  for (int i = 2; i < argc; ++i) {
    const std::filesystem::path p = argv[i];
    if (std::filesystem::is_directory(p)) {
      for (const auto& e : std::filesystem::recursive_directory_iterator(p))
        if (e.is_regular_file() && e.path().extension() != ".md") files.push_back(e.path());
    } else if (std::filesystem::is_regular_file(p)) {
      files.push_back(p);
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "fuzz_replay: %s: no inputs\n", name.c_str());
    return 1;
  }
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    try {
      one(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "fuzz_replay: %s: %s escaped the reader: %s\n", name.c_str(), f.c_str(), e.what());
      return 1;
    }
  }
  std::printf("fuzz_replay: %s: %zu inputs, all rejected cleanly or read\n", name.c_str(), files.size());
  return 0;
}
