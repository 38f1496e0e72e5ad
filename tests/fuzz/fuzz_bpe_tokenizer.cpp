// libFuzzer harness: the byte-level BPE tokenizer (src/audio2au/alm/bpe_tokenizer.h): its files, then
// encoding and decoding a text with what was read.
//
// Input: a mode byte, then parts separated by NUL bytes (JSON and merges.txt have no raw NULs):
//   even mode: tokenizer.json NUL text          -> BpeTokenizer::from_tokenizer_json
//   odd mode:  vocab.json NUL merges.txt NUL text -> BpeTokenizer::from_vocab_and_merges
// Files go to a per-process scratch folder (the vocab.json reader looks beside it for
// tokenizer_config.json, which is never there). Every id encode() returns must name a token.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "audio2au/alm/bpe_tokenizer.h"
#include "auhead/error.h"
#include "fuzz_util.h"

namespace alm = auhead::audio2au::alm;

namespace {

int fuzz_one(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static auhead::fuzz::ScratchFile tokenizer_json("tokenizer.json"), vocab_json("vocab.json"), merges_txt("merges.txt");
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto take = [&rest] {
    const size_t nul = rest.find('\0');
    const std::string_view part = rest.substr(0, nul);
    rest = nul == std::string_view::npos ? std::string_view() : rest.substr(nul + 1);
    return part;
  };
  std::optional<alm::BpeTokenizer> t;
  try {
    if (data[0] % 2 == 0) {
      t.emplace(alm::BpeTokenizer::from_tokenizer_json(tokenizer_json.write(take())));
    } else {
      vocab_json.write(take());
      merges_txt.write(take());
      t.emplace(alm::BpeTokenizer::from_vocab_and_merges(vocab_json.path(), merges_txt.path()));
    }
  } catch (const auhead::Error& e) {
    auhead::fuzz::rejected(e);
    return 0;
  }
  auhead::fuzz::note("tokenizer: " + std::to_string(t->vocab_size()) + " ids");
  const std::string_view text = rest;
  try {
    const std::vector<int64_t> ids = t->encode(text);
    for (int64_t id : ids) (void)t->id_to_token(id);  // an auhead::Error here escapes: a finding
    (void)t->decode(ids);
    (void)t->decode(ids, /*skip_special_tokens=*/true);
    for (const auto& a : t->added_tokens()) (void)t->token_to_id(a.content);
    auhead::fuzz::note("encoded " + std::to_string(text.size()) + " bytes into " + std::to_string(ids.size()) + " ids");
  } catch (const auhead::Error& e) {
    // encode() rejects text that is not UTF-8 with an auhead::Error
    auhead::fuzz::rejected(e);
  }
  return 0;
}

}  // namespace

AUHEAD_FUZZ_ENTRY(fuzz_one)
