#include "audio2au/alm/vocabulary_trie.h"

#include <algorithm>
#include <utility>

#include "audio2au/alm/bpe_tokenizer.h"

namespace auhead::audio2au::alm {

namespace {
const std::string kNoBytes;
}

VocabularyTrie::VocabularyTrie(const BpeTokenizer& tokenizer) {
  const std::size_t n = tokenizer.vocab_size();
  bytes_.assign(n, std::string());
  std::vector<bool> added(n, false);
  for (const auto& a : tokenizer.added_tokens())
    if (a.id >= 0 && std::size_t(a.id) < n) added[a.id] = true;
  std::vector<std::pair<std::string_view, int32_t>> sorted;
  sorted.reserve(n);
  for (std::size_t id = 0; id < n; ++id) {
    if (added[id]) continue;
    bytes_[id] = tokenizer.decode({int64_t(id)});
    if (!bytes_[id].empty()) sorted.emplace_back(bytes_[id], int32_t(id));
  }
  std::sort(sorted.begin(), sorted.end());
  // Insert in sorted order: a new string shares a prefix with the previous one, so only the nodes
  // along the previous path can gain children, and children arrive in byte order.
  nodes_.assign(1, Node{});
  std::vector<uint32_t> path{0};        // path[d]: the node for the first d bytes of the previous string
  std::vector<uint32_t> last_child{0};  // last_child[d]: the most recent child of path[d] (0: none)
  std::string_view previous;
  for (const auto& [text, id] : sorted) {
    std::size_t common = 0;
    while (common < text.size() && common < previous.size() && text[common] == previous[common]) ++common;
    path.resize(common + 1);
    last_child.resize(common + 1);
    for (std::size_t d = common; d < text.size(); ++d) {
      const uint32_t node = uint32_t(nodes_.size());
      nodes_.push_back(Node{0, 0, -1, static_cast<unsigned char>(text[d])});
      if (last_child[d]) nodes_[last_child[d]].next_sibling = node;
      else nodes_[path[d]].first_child = node;
      last_child[d] = node;
      path.push_back(node);
      last_child.push_back(0);
    }
    if (nodes_[path.back()].token < 0) nodes_[path.back()].token = id;  // a duplicate spelling keeps the first id
    previous = text;
  }
}

void VocabularyTrie::allowed(const AuAnswerGrammar& grammar, const AuAnswerGrammar::State& state,
                             std::vector<int64_t>& ids) const {
  std::vector<std::pair<uint32_t, AuAnswerGrammar::State>> stack{{0u, state}};
  while (!stack.empty()) {
    const auto [node, s] = stack.back();
    stack.pop_back();
    for (uint32_t child = nodes_[node].first_child; child; child = nodes_[child].next_sibling) {
      AuAnswerGrammar::State next = s;
      if (!grammar.step(next, nodes_[child].byte)) continue;
      if (nodes_[child].token >= 0) ids.push_back(nodes_[child].token);
      if (nodes_[child].first_child) stack.emplace_back(child, next);
    }
  }
}

const std::string& VocabularyTrie::bytes(int64_t id) const {
  return id >= 0 && std::size_t(id) < bytes_.size() ? bytes_[id] : kNoBytes;
}

}  // namespace auhead::audio2au::alm
