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

void write_au_file(const fs::path& file, const AuSequence& seq) { write_au_file(file, seq, detect_au_format(file)); }

void write_au_file(const fs::path& file, const AuSequence& seq, AuFileFormat format) {
  switch (format) {
    case AuFileFormat::json: return write_text_file_atomic(file, au_to_json(seq));
    case AuFileFormat::csv: return write_text_file_atomic(file, au_to_csv(seq));
    case AuFileFormat::openface_csv: return write_text_file_atomic(file, au_to_openface_csv(seq));
    case AuFileFormat::arkit_csv: return write_text_file_atomic(file, au_to_arkit_csv(seq));
  }
}

AuFileFormat parse_au_file_format(const std::string& name) {
  if (name == "json") return AuFileFormat::json;
  if (name == "csv") return AuFileFormat::csv;
  if (name == "arkit-csv") return AuFileFormat::arkit_csv;
  if (name == "openface-csv") return AuFileFormat::openface_csv;
  throw usage_error("unknown AU file format '" + name + "' (json, csv, arkit-csv, openface-csv)");
}

}  // namespace auhead
