// The Qwen2 pre-tokenizer split (tokenizer.json pre_tokenizer Split, behaviour Isolated), matched by
// hand: contractions | [^\r\n\p{L}\p{N}]?\p{L}+ | \p{N} | ?[^\s\p{L}\p{N}]+[\r\n]* | \s*[\r\n]+ |
// \s+(?!\S) | \s+ — leftmost alternative first, with the regex's backtracking worked out per case.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace auhead::audio2au::alm {

// The pattern string this splitter implements, as tokenizer.json spells it.
extern const std::string_view kQwen2SplitPattern;

// Splits text (code points) into the pieces the pattern matches; the pieces cover the text exactly.
std::vector<std::u32string> qwen2_pretokenize(std::u32string_view text);

}  // namespace auhead::audio2au::alm
