// OpenFace 2.0 CSV import. Intensities AUxx_r (0–5) are divided by 5 and mapped by FACS code
// (README "OpenFace import"): a symmetric OpenFace AU sets both sides of a left/right pair, and
// AU01 and AU02 both feed brow raise (the larger wins). Only the first face (lowest face_id) is read;
// rows where OpenFace failed (success = 0) hold the last good frame.
#include <algorithm>
#include <cmath>
#include <climits>
#include <map>

#include "au/csv_lines.h"
#include "au/number_format.h"
#include "auhead/au_sequence.h"
#include "auhead/error.h"

namespace auhead {

namespace {
// OpenFace AU number → auhead channels it drives.
const std::map<int, std::vector<int>>& openface_map() {
  static const std::map<int, std::vector<int>> m{
      {1, {6, 7}},   {2, {6, 7}},   {4, {4, 5}}, {5, {2, 3}}, {6, {24}},  {7, {25}},  {9, {23}},   {10, {18}},
      {12, {11, 12}}, {14, {26}},   {15, {27}},  {17, {20}},  {20, {13, 14}}, {23, {28}}, {25, {29}}, {26, {8}},
      {45, {0, 1}},
  };
  return m;
}
}  // namespace

AuSequence au_from_openface_csv(const std::string& text, const std::string& source) {
  auto lines = csv_lines(text, false);
  if (lines.empty()) throw input_error(source, "empty file");
  const auto header = csv_split(lines[0].text);
  int col_time = -1, col_face = -1, col_success = -1;
  std::vector<std::pair<int, int>> au_cols;  // (column, OpenFace AU number)
  for (size_t c = 0; c < header.size(); ++c) {
    std::string_view h = header[c];
    if (h == "timestamp") col_time = int(c);
    else if (h == "face_id") col_face = int(c);
    else if (h == "success") col_success = int(c);
    else if (h.size() == 6 && h.substr(0, 2) == "AU" && h.substr(4) == "_r") {
      auto num = parse_number<int>(h.substr(2, 2));
      if (num && openface_map().count(*num)) au_cols.push_back({int(c), *num});
    }
  }
  if (col_time < 0) throw input_error(source, "not an OpenFace CSV: no 'timestamp' column");
  if (au_cols.empty()) throw input_error(source, "not an OpenFace CSV: no AU intensity (AUxx_r) columns");

  // First pass: which face to read.
  long long face = 0;
  if (col_face >= 0) {
    face = LLONG_MAX;
    for (size_t i = 1; i < lines.size(); ++i) {
      auto cells = csv_split(lines[i].text);
      if (int(cells.size()) > col_face)
        if (auto id = parse_number<long long>(cells[col_face])) face = std::min(face, *id);
    }
  }

  AuSequence seq;
  seq.au_set = AuSet::auhead30;
  std::vector<double> stamps;
  AuFrame last{};
  for (size_t i = 1; i < lines.size(); ++i) {
    const std::string where = source + ": line " + std::to_string(lines[i].number);
    auto cells = csv_split(lines[i].text);
    if (cells.size() != header.size())
      throw input_error(where, "expected " + std::to_string(header.size()) + " fields, got " + std::to_string(cells.size()));
    if (col_face >= 0 && parse_number<long long>(cells[col_face]) != face) continue;
    auto t = parse_number<double>(cells[col_time]);
    if (!t || !std::isfinite(*t)) throw input_error(where, "timestamp '" + std::string(cells[col_time]) + "' is not a number");
    if (!stamps.empty() && !(*t > stamps.back()))
      throw input_error(where, "timestamp " + std::string(cells[col_time]) + " is not after the previous one");
    stamps.push_back(*t);
    bool ok = col_success < 0 || parse_number<double>(cells[col_success]).value_or(0) != 0;
    if (ok) {
      AuFrame frame{};
      for (auto [c, num] : au_cols) {
        auto v = parse_number<float>(cells[c]);
        if (!v || std::isnan(*v))
          throw input_error(where, std::string(header[c]) + " '" + std::string(cells[c]) + "' is not a number");
        float x = std::clamp(*v / 5.f, 0.f, 1.f);
        for (int au : openface_map().at(num)) frame[au] = std::max(frame[au], x);
      }
      last = frame;
    }
    seq.frames.push_back(last);
  }
  if (seq.frames.empty()) throw input_error(source, "contains no frames");
  if (stamps.size() >= 2) {
    // OpenFace rounds timestamps to milliseconds: take the mean rate over the whole span, then snap
    // it to an NTSC rate (within 0.05 %) or a whole number (within 1 %), else to 1/100 fps.
    double fps = double(stamps.size() - 1) / (stamps.back() - stamps.front());
    double snapped = std::abs(fps - std::round(fps)) < 0.01 * fps ? std::round(fps) : std::round(fps * 100) / 100;
    for (double ntsc : {24000.0 / 1001, 30000.0 / 1001, 60000.0 / 1001})
      if (std::abs(fps - ntsc) < 0.0005 * ntsc) snapped = ntsc;
    seq.fps = snapped;
  } else {
    seq.fps = 30.0;  // OpenFace's default for single images
  }
  seq.validate(source);
  return seq;
}

}  // namespace auhead
