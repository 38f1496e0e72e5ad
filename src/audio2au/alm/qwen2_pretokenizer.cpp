#include "audio2au/alm/qwen2_pretokenizer.h"

#include "audio2au/alm/unicode_text.h"

namespace auhead::audio2au::alm {

const std::string_view kQwen2SplitPattern =
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|"
    "\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

namespace {

bool is_crlf(char32_t c) { return c == U'\r' || c == U'\n'; }
char32_t ascii_lower(char32_t c) { return c >= U'A' && c <= U'Z' ? c + 32 : c; }

// Each matcher returns the end of its match at `i`, or `i` when it does not match (no alternative
// matches the empty string).
std::size_t match_contraction(std::u32string_view t, std::size_t i) {
  if (t[i] != U'\'' || i + 1 >= t.size()) return i;
  // (?i:...): ASCII letters in either case, alternatives in pattern order.
  static const char* const kSuffixes[] = {"s", "t", "re", "ve", "m", "ll", "d"};
  for (const char* suf : kSuffixes) {
    std::size_t k = 0;
    while (suf[k] && i + 1 + k < t.size() && ascii_lower(t[i + 1 + k]) == static_cast<char32_t>(suf[k])) ++k;
    if (!suf[k]) return i + 1 + k;
  }
  return i;
}

std::size_t letters_from(std::u32string_view t, std::size_t j) {
  while (j < t.size() && is_letter(t[j])) ++j;
  return j;
}

// [^\r\n\p{L}\p{N}]?\p{L}+
std::size_t match_word(std::u32string_view t, std::size_t i) {
  const char32_t c = t[i];
  if (!is_crlf(c) && !is_letter(c) && !is_number(c)) {
    const std::size_t e = letters_from(t, i + 1);
    return e > i + 1 ? e : i;  // the optional char backtracks to nothing, and then c is no letter
  }
  return letters_from(t, i);
}

// \p{N}
std::size_t match_digit(std::u32string_view t, std::size_t i) { return is_number(t[i]) ? i + 1 : i; }

bool is_symbol(char32_t c) { return !is_js_space(c) && !is_letter(c) && !is_number(c); }

// ' ?[^\s\p{L}\p{N}]+[\r\n]*'
std::size_t match_symbols(std::u32string_view t, std::size_t i) {
  std::size_t j = i;
  if (t[j] == U' ' && j + 1 < t.size() && is_symbol(t[j + 1])) ++j;  // with the space, when it can go on
  if (!is_symbol(t[j])) return i;
  while (j < t.size() && is_symbol(t[j])) ++j;
  while (j < t.size() && is_crlf(t[j])) ++j;
  return j;
}

// \s*[\r\n]+ , \s+(?!\S) and \s+ over the whitespace run [i, end).
std::size_t match_space(std::u32string_view t, std::size_t i) {
  std::size_t end = i;
  while (end < t.size() && is_js_space(t[end])) ++end;
  if (end == i) return i;
  // \s*[\r\n]+: greedy \s* backs off to the last CR/LF of the run; [\r\n]+ then takes just that one.
  for (std::size_t p = end; p > i; --p)
    if (is_crlf(t[p - 1])) return p;
  // \s+(?!\S): the whole run at the end of the text, else all but its last char (if that leaves one).
  if (end == t.size()) return end;
  if (end - i >= 2) return end - 1;
  return end;  // \s+
}

}  // namespace

std::vector<std::u32string> qwen2_pretokenize(std::u32string_view t) {
  std::vector<std::u32string> pieces;
  std::size_t i = 0;
  while (i < t.size()) {
    std::size_t e = match_contraction(t, i);
    if (e == i) e = match_word(t, i);
    if (e == i) e = match_digit(t, i);
    if (e == i) e = match_symbols(t, i);
    if (e == i) e = match_space(t, i);
    if (e == i) e = i + 1;  // unreachable: every code point is a letter, number, space or symbol
    pieces.emplace_back(t.substr(i, e - i));
    i = e;
  }
  return pieces;
}

}  // namespace auhead::audio2au::alm
