// Reading and writing AU files by format.
#include <algorithm>
#include <cctype>

#include "auhead/au_sequence.h"
#include "auhead/error.h"
#include "core/atomic_file.h"

namespace fs = std::filesystem;

namespace auhead {

namespace {
std::string lower_extension(const fs::path& file) {
  std::string ext = file.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return ext;
}
}  // namespace

AuFileFormat detect_au_format(const fs::path& file) {
  std::string ext = lower_extension(file);
  if (ext == ".json") return AuFileFormat::json;
  if (ext == ".csv") return AuFileFormat::csv;
  throw usage_error(file.string() + ": unknown AU file type '" + ext + "' (use .json or .csv)");
}

AuSequence read_au_file(const fs::path& file) {
  AuFileFormat format = detect_au_format(file);
  std::string text = read_text_file(file);
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) throw input_error(file.string(), "file is empty");
  if (format == AuFileFormat::json) return au_from_json(text, file.string());
  // OpenFace CSVs are recognised by their AU intensity columns.
  std::string head = text.substr(0, text.find('\n'));
  if (head.find("AU01_r") != std::string::npos || head.find("AU12_r") != std::string::npos ||
      head.find("AU45_r") != std::string::npos)
    return au_from_openface_csv(text, file.string());
  return au_from_csv(text, file.string());
}

void write_au_file(const fs::path& file, const AuSequence& seq) {
  AuFileFormat format = detect_au_format(file);
  write_text_file_atomic(file, format == AuFileFormat::json ? au_to_json(seq) : au_to_csv(seq));
}

}  // namespace auhead
