// The tokenizer's vocabulary as a byte trie, so constrained decoding finds every token the answer
// grammar allows from a state by walking only the branches the grammar accepts, not all ~150k tokens.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "audio2au/alm/au_answer_grammar.h"

namespace auhead::audio2au::alm {

class BpeTokenizer;

class VocabularyTrie {
 public:
  // Every regular token (added tokens such as <|im_end|> are left out: the decoder handles them).
  explicit VocabularyTrie(const BpeTokenizer& tokenizer);

  // Appends to `ids` every token whose bytes the grammar accepts one after another from `state`.
  void allowed(const AuAnswerGrammar& grammar, const AuAnswerGrammar::State& state, std::vector<int64_t>& ids) const;
  // The bytes of a regular token (empty for an added or unknown id).
  const std::string& bytes(int64_t id) const;
  std::size_t node_count() const { return nodes_.size(); }

 private:
  struct Node {
    uint32_t first_child = 0;   // 0: none (the root is node 0 and is nobody's child)
    uint32_t next_sibling = 0;  // 0: none
    int32_t token = -1;         // the token whose bytes end here, or -1
    unsigned char byte = 0;
  };
  std::vector<Node> nodes_;
  std::vector<std::string> bytes_;  // by id
};

}  // namespace auhead::audio2au::alm
