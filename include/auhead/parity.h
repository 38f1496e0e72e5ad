// Parity with the reference implementations (`auhead parity`): our networks run on the recorded inputs
// of a fixtures folder (diffusers, AniPortrait, Qwen2-Audio, a LoRA training step; tests/fixtures/),
// and every recorded output is compared with max |ours - ref| <= 1e-4 * max(1, max|ref|); also the
// Whisper log-mel front end and the tokenizer against recorded ids.
#pragma once
#include <cstddef>
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
  std::vector<std::string> skipped;  // fixture parts found that no check covers yet
  bool all_pass() const;
};

using ParityEmit = std::function<void(const ParityResult&)>;

// Runs every check whose fixtures are present in `dir`, calling `on_result` as each output is
// compared. Throws an input error naming what is missing when `dir` holds no fixtures we know or a
// fixture part lacks a file it needs.
ParityReport run_parity(const std::filesystem::path& dir, const ParityEmit& on_result = {});

// One line per result: "name  max|ours-ref|=…  tol=…  PASS|FAIL".
std::string format_parity_line(const ParityResult& r);

// For every NAME_audio in `file`: our log-mel (128 and 80 bins) against NAME_logmel128/80 (their
// first T frames), max abs error <= 1e-4.
ParityReport run_logmel_parity(const std::filesystem::path& file, const ParityEmit& on_result = {});

struct TokenizerParityReport {
  std::size_t lines = 0;
  std::size_t mismatches = 0;
  bool all_match() const { return lines > 0 && mismatches == 0; }
};
// Encodes the "text" of every JSON line of `ids_file` with the tokenizer and compares with "ids";
// `on_mismatch` gets a one-line description of each difference.
TokenizerParityReport run_tokenizer_parity(const std::filesystem::path& tokenizer_file,
                                           const std::filesystem::path& ids_file,
                                           const std::function<void(const std::string&)>& on_mismatch = {});

}  // namespace auhead
