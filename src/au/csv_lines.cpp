#include "au/csv_lines.h"

namespace auhead {

namespace {
std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}
}  // namespace

std::vector<CsvLine> csv_lines(std::string_view text, bool keep_comments) {
  std::vector<CsvLine> out;
  int number = 0;
  size_t pos = 0;
  // A UTF-8 byte-order mark is not part of the header.
  if (text.substr(0, 3) == "\xEF\xBB\xBF") pos = 3;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    ++number;
    std::string_view line = trim(text.substr(pos, end - pos));
    if (!line.empty() && (keep_comments || line.front() != '#')) out.push_back({number, line});
    pos = end + 1;
  }
  return out;
}

std::vector<std::string_view> csv_split(std::string_view line) {
  std::vector<std::string_view> cells;
  size_t pos = 0;
  while (true) {
    size_t end = line.find(',', pos);
    cells.push_back(trim(line.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos)));
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  return cells;
}

}  // namespace auhead
