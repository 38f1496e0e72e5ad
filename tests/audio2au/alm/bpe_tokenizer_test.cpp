#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "audio2au/alm/alm_parity.h"
#include "audio2au/alm/bpe_tokenizer.h"
#include "auhead/error.h"
#include "audio2au/alm/qwen2_pretokenizer.h"
#include "audio2au/alm/unicode_text.h"
#include "build_config.h"
#include "cli/cli_test_util.h"

namespace fs = std::filesystem;
using namespace auhead::audio2au::alm;

namespace {
const fs::path kTokenizer = default_qwen_tokenizer_file();
const fs::path kIds = fs::path(AUHEAD_FIXTURES_DIR) / "tokenizer/qwen2_ids.jsonl";

const BpeTokenizer& qwen() {
  static const BpeTokenizer t = BpeTokenizer::from_tokenizer_json(kTokenizer);
  return t;
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  for (const auto& p : qwen2_pretokenize(utf8_to_u32(s))) out.push_back(u32_to_utf8(p));
  return out;
}
}  // namespace

#define NEED_TOKENIZER() \
  if (!fs::exists(kTokenizer)) GTEST_SKIP() << kTokenizer << " missing: run scripts/setup.d/30-qwen-tokenizer.sh"

TEST(AlmPretokenizer, SplitsLikeTheQwen2Pattern) {
  using V = std::vector<std::string>;
  EXPECT_EQ(split("Hello world"), (V{"Hello", " world"}));
  EXPECT_EQ(split("I'm they'LL"), (V{"I", "'m", " they", "'LL"}));
  EXPECT_EQ(split("a  b"), (V{"a", " ", " b"}));
  EXPECT_EQ(split("end   "), (V{"end", "   "}));
  EXPECT_EQ(split("x \n\n y"), (V{"x", " \n\n", " y"}));
  EXPECT_EQ(split("123"), (V{"1", "2", "3"}));
  EXPECT_EQ(split("a, (b)"), (V{"a", ",", " (", "b", ")"}));
  EXPECT_EQ(split("?!\n\nx"), (V{"?!\n\n", "x"}));
  EXPECT_EQ(split(""), V{});
}

TEST(AlmTokenizer, RecordedIdsMatchEveryLine) {
  NEED_TOKENIZER();
  std::vector<std::string> mismatches;
  auto report = auhead::run_tokenizer_parity(kTokenizer, kIds, [&](const std::string& m) { mismatches.push_back(m); });
  EXPECT_GE(report.lines, 60u);
  EXPECT_EQ(report.mismatches, 0u);
  for (const auto& m : mismatches) ADD_FAILURE() << m;
}

TEST(AlmTokenizer, SpecialTokensAndDecodeRoundTrip) {
  NEED_TOKENIZER();
  const auto& t = qwen();
  EXPECT_EQ(t.token_to_id("<|im_start|>"), 151644);
  EXPECT_EQ(t.token_to_id("<|endoftext|>"), 151643);
  EXPECT_EQ(t.encode("<|im_end|>"), (std::vector<int64_t>{151645}));
  EXPECT_EQ(t.decode(t.encode("<|im_start|>user\nhi<|im_end|>"), true), "user\nhi");
  // Every (NFC) text of the fixture comes back byte for byte.
  std::ifstream in(kIds);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    const std::string text = nlohmann::json::parse(line).at("text").get<std::string>();
    if (nfc_normalize(text) != text) continue;
    EXPECT_EQ(t.decode(t.encode(text)), text);
    ++n;
  }
  EXPECT_GT(n, 50);
  for (const char* s : {"Emotion: happy (0.70)\nAU: <f0> 11:.45 12:.43 8:.20 | <f1> |", "\t\t  x\r\n", "ÿ\x7f\x01"})
    EXPECT_EQ(t.decode(t.encode(s)), s);
}

TEST(AlmTokenizer, NfcComposesBeforeSplitting) {
  NEED_TOKENIZER();
  const auto& t = qwen();
  EXPECT_EQ(t.encode("e\xCC\x81"), t.encode("\xC3\xA9"));  // e + combining acute == é
}

TEST(AlmTokenizer, Qwen2AudioTokensOverrideTheSharedIds) {
  NEED_TOKENIZER();
  BpeTokenizer t = qwen();
  t.override_added_tokens({{"<|AUDIO|>", 151646, true}, {"<|audio_bos|>", 151647, true}, {"<|audio_eos|>", 151648, true}});
  EXPECT_EQ(t.encode("<|audio_bos|><|AUDIO|><|AUDIO|><|audio_eos|>\nhi"),
            (std::vector<int64_t>{151647, 151646, 151646, 151648, 198, 6023}));
  EXPECT_EQ(t.token_to_id("<|object_ref_start|>"), -1);
  EXPECT_GT(t.encode("<|object_ref_start|>").size(), 1u);
  EXPECT_EQ(t.decode({151647, 151646, 151648}), "<|audio_bos|><|AUDIO|><|audio_eos|>");
  EXPECT_EQ(t.decode({151647, 151646, 151648, 6023}, true), "hi");
}

TEST(AlmTokenizer, VocabAndMergesFilesGiveTheSameIds) {
  // A tiny GPT-2-style pair of files: bytes of "ab c" plus merges a+b, Ġ+c.
  const fs::path dir = fs::temp_directory_path() / ("auhead_bpe_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  nlohmann::json vocab;
  int id = 0;
  for (int b = 0; b < 256; ++b) {
    const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    static int next = 0;
    const char32_t cp = printable ? static_cast<char32_t>(b) : static_cast<char32_t>(256 + next++);
    vocab[u32_to_utf8(std::u32string(1, cp))] = id++;
  }
  vocab["ab"] = id++;
  vocab["\xC4\xA0" "c"] = id++;  // "Ġc"
  std::ofstream(dir / "vocab.json") << vocab.dump();
  std::ofstream(dir / "merges.txt") << "#version: 0.2\na b\n\xC4\xA0 c\n";
  std::ofstream(dir / "tokenizer_config.json")
      << R"({"added_tokens_decoder": {"258": {"content": "<|x|>", "special": true}}})";
  BpeTokenizer t = BpeTokenizer::from_vocab_and_merges(dir / "vocab.json", dir / "merges.txt");
  EXPECT_EQ(t.encode("ab c<|x|>ab"), (std::vector<int64_t>{256, 257, 258, 256}));
  EXPECT_EQ(t.decode(t.encode("ab c<|x|>ab")), "ab c<|x|>ab");
  // Ids far sparser than any real vocabulary (259 tokens, one id of 15 million: a 15-million-slot
  // table) are refused before the table is allocated, with a message naming the file.
  vocab["ab"] = 15164666;
  std::ofstream(dir / "vocab.json") << vocab.dump();
  try {
    BpeTokenizer::from_vocab_and_merges(dir / "vocab.json", dir / "merges.txt");
    ADD_FAILURE() << "a sparse vocabulary was accepted";
  } catch (const auhead::Error& e) {
    EXPECT_EQ(e.code(), auhead::ExitCode::bad_input);
    EXPECT_NE(std::string(e.what()).find("vocab.json"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("too sparse"), std::string::npos) << e.what();
  }
  fs::remove_all(dir);
}

TEST(AlmTokenizer, CliParityExitsZero) {
  NEED_TOKENIZER();
  const auhead::test::CliResult r =
      auhead::test::run_cli("-q parity --tokenizer " + kTokenizer.string() + " --ids " + kIds.string());
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("lines give the recorded ids"), std::string::npos) << r.output;
}
