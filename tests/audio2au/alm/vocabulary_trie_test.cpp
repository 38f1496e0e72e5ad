#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "audio2au/alm/au_answer_grammar.h"
#include "audio2au/alm/bpe_tokenizer.h"
#include "audio2au/alm/vocabulary_trie.h"

using namespace auhead;
using namespace auhead::audio2au::alm;

namespace {
const BpeTokenizer& qwen() {
  static const BpeTokenizer t = BpeTokenizer::from_tokenizer_json(default_qwen_tokenizer_file());
  return t;
}
const VocabularyTrie& trie() {
  static const VocabularyTrie t(qwen());
  return t;
}

// The tokens allowed from `s`, found the slow way: every regular token's bytes through the grammar.
std::set<int64_t> brute_force(const AuAnswerGrammar& g, const AuAnswerGrammar::State& s) {
  std::set<int64_t> out;
  for (std::size_t id = 0; id < qwen().vocab_size(); ++id) {
    const std::string& b = trie().bytes(int64_t(id));
    if (b.empty()) continue;
    auto t = s;
    if (std::all_of(b.begin(), b.end(), [&](char c) { return g.step(t, static_cast<unsigned char>(c)); })) out.insert(int64_t(id));
  }
  return out;
}
}  // namespace

TEST(AlmVocabularyTrie, HoldsEveryRegularTokenAndNoAddedOne) {
  EXPECT_GT(trie().node_count(), qwen().vocab_size() / 2);
  const int64_t first = qwen().encode("Emotion").front();
  EXPECT_EQ(trie().bytes(first), qwen().decode({first}));
  EXPECT_GT(trie().bytes(first).size(), 1u);
  EXPECT_EQ(trie().bytes(qwen().token_to_id("<|im_end|>")), "");
}

TEST(AlmVocabularyTrie, FindsExactlyTheTokensTheGrammarAllows) {
  AuAnswerGrammar g(AuGrammarOptions(2));
  auto s = g.start();
  const std::string text = "Emotion: happy (0.70)\nAU: <f0> 11:.45 ";
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i % 6 == 0 || i == text.size()) {  // check at a few points along the answer
      std::vector<int64_t> ids;
      trie().allowed(g, s, ids);
      std::set<int64_t> got(ids.begin(), ids.end());
      EXPECT_EQ(got.size(), ids.size()) << "duplicates at " << i;
      EXPECT_EQ(got, brute_force(g, s)) << "after \"" << text.substr(0, i) << "\"";
      EXPECT_FALSE(got.empty());
    }
    if (i < text.size()) {
      ASSERT_TRUE(g.step(s, static_cast<unsigned char>(text[i])));
    }
  }
}

TEST(AlmVocabularyTrie, MultiCharacterTokensAreOffered) {
  AuAnswerGrammar g(AuGrammarOptions(1));
  std::vector<int64_t> ids;
  trie().allowed(g, g.start(), ids);
  // The tokens the tokenizer itself would use for "Emotion" are offered, not only single letters.
  const int64_t first = qwen().encode("Emotion").front();
  EXPECT_NE(std::find(ids.begin(), ids.end(), first), ids.end());
  EXPECT_NE(std::find(ids.begin(), ids.end(), qwen().encode("E").front()), ids.end());
}
