// Minimal CSV reading for the numeric tables auhead exchanges (no quoted fields): lines with their
// 1-based line numbers, split on commas, cells trimmed.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace auhead {

struct CsvLine {
  int number;  // 1-based line number in the file
  std::string_view text;
};

// Splits text into lines (LF or CRLF), skipping blank lines. Lines starting with '#' are kept only
// when keep_comments is true.
std::vector<CsvLine> csv_lines(std::string_view text, bool keep_comments);
std::vector<std::string_view> csv_split(std::string_view line);

}  // namespace auhead
