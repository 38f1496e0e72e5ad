// Parity checks of the Stage 1 ALM parts against recorded reference outputs: the Whisper log-mel
// front end (`auhead parity --logmel`), the tokenizer (`--tokenizer --ids`), and the Qwen2-Audio
// fixture folders, whose handlers join `auhead parity --fixtures` (core/parity.h).
#pragma once
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/parity.h"

namespace auhead::alm {

// The handlers of `auhead parity --fixtures` for the Whisper log-mel and Qwen2-Audio fixtures
// (listed in pipeline/implementations.cpp).
std::vector<ParityHandler> parity_handlers();

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

}  // namespace auhead::alm
