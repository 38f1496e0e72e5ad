// The few Unicode facts the tokenizer needs (UTF-8 <-> code points, NFC, letter/number/space
// classes), backed by ICU so that categories follow the Unicode database rather than a local table.
#pragma once
#include <string>
#include <string_view>

namespace auhead::audio2au::alm {

// Code points of UTF-8 text; an invalid byte sequence becomes U+FFFD.
std::u32string utf8_to_u32(std::string_view text);
std::string u32_to_utf8(std::u32string_view text);

// Unicode canonical composition (NFC) of UTF-8 text.
std::string nfc_normalize(std::string_view text);

bool is_letter(char32_t c);  // \p{L}: Lu Ll Lt Lm Lo
bool is_number(char32_t c);  // \p{N}: Nd Nl No
// \s as JavaScript's regular expressions define it (the reference tokenizer runs in JS): the Unicode
// Space_Separator class plus tab, LF, VT, FF, CR, U+2028, U+2029 and U+FEFF.
bool is_js_space(char32_t c);

}  // namespace auhead::audio2au::alm
