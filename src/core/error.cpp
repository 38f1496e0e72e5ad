#include "auhead/error.h"

#include <cstdio>

namespace auhead {

std::string printable(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  auto hex = [&](unsigned char c) {
    char b[8];
    std::snprintf(b, sizeof b, "\\x%02x", c);
    out += b;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f) {
      hex(c);
    } else if (c == 0xc2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(text[i + 1]) <= 0x9f) {  // U+0080..U+009F, the C1 controls
      hex(c);
      hex(static_cast<unsigned char>(text[++i]));
    } else {  // UTF-8 terminals take a stray byte ≥ 0x80 as an invalid character, not as a control
      out += static_cast<char>(c);
    }
  }
  return out;
}

Error input_error(const std::string& file, const std::string& problem) {
  return Error(ExitCode::bad_input, printable(file + ": " + problem));
}
Error output_error(const std::string& file, const std::string& problem) {
  return Error(ExitCode::output, printable(file + ": " + problem));
}
Error usage_error(const std::string& problem) { return Error(ExitCode::usage, printable(problem)); }
Error unavailable_error(const std::string& problem) { return Error(ExitCode::unavailable, printable(problem)); }
Error internal_error(const std::string& problem) {
  return Error(ExitCode::internal, "internal error: " + printable(problem));
}

}  // namespace auhead
