// AU sequence CSV (docs/design.md §4): an optional "# auhead ..." comment line with the metadata, then the
// header `frame,timestamp,<AU names>` and one row per frame. AU columns are matched by name.
#include <algorithm>
#include <cmath>
#include <sstream>

#include "au/csv_lines.h"
#include "au/number_format.h"
#include "auhead/au_sequence.h"
#include "auhead/error.h"

namespace auhead {

std::string au_to_csv(const AuSequence& seq) {
  const int width = au_set_width(seq.au_set);
  std::string out = "# auhead au_set=" + std::string(au_set_name(seq.au_set)) + " fps=" + format_number(seq.fps);
  if (seq.emotion)
    out += " emotion=" + std::string(emotion_name(seq.emotion->label)) + " intensity=" + format_number(seq.emotion->intensity);
  out += "\nframe,timestamp";
  for (int a = 0; a < width; ++a) out += "," + std::string(au_table()[a].name);
  const bool pose = !seq.head_pose.empty();
  if (pose) out += ",head_yaw,head_pitch,head_roll";
  out += '\n';
  for (size_t f = 0; f < seq.frames.size(); ++f) {
    out += std::to_string(f) + "," + format_number(double(f) / seq.fps);
    for (int a = 0; a < width; ++a) out += "," + format_number(seq.frames[f][a]);
    if (pose)
      for (int c = 0; c < 3; ++c) out += "," + format_number(seq.head_pose[f][c]);
    out += '\n';
  }
  return out;
}

namespace {
struct CsvMeta {
  std::optional<double> fps;
  std::optional<AuSet> au_set;
  std::optional<EmotionState> emotion;
};

CsvMeta parse_meta(std::string_view comment, const std::string& where) {
  CsvMeta meta;
  std::istringstream ss{std::string(comment.substr(1))};
  std::string word;
  ss >> word;  // "auhead"
  std::optional<Emotion> label;
  std::optional<float> intensity;
  while (ss >> word) {
    auto eq = word.find('=');
    if (eq == std::string::npos) continue;
    std::string key = word.substr(0, eq), value = word.substr(eq + 1);
    if (key == "fps") {
      meta.fps = parse_number<double>(value);
      if (!meta.fps) throw input_error(where, "fps '" + value + "' is not a number");
    } else if (key == "au_set") {
      meta.au_set = parse_au_set(value);
      if (!meta.au_set) throw input_error(where, "au_set must be auhead30 or feafa24");
    } else if (key == "emotion") {
      label = parse_emotion(value);
      if (!label) throw input_error(where, "unknown emotion '" + value + "' (valid: " + emotion_list() + ")");
    } else if (key == "intensity") {
      intensity = parse_number<float>(value);
      if (!intensity) throw input_error(where, "intensity '" + value + "' is not a number");
    }
  }
  if (label) meta.emotion = EmotionState{*label, intensity.value_or(1.f)};
  return meta;
}
}  // namespace

AuSequence au_from_csv(const std::string& text, const std::string& source) {
  auto lines = csv_lines(text, true);
  CsvMeta meta;
  size_t i = 0;
  for (; i < lines.size() && lines[i].text.front() == '#'; ++i)
    if (lines[i].text.substr(0, 8) == "# auhead") meta = parse_meta(lines[i].text, source + ": line " + std::to_string(lines[i].number));
  if (i == lines.size()) throw input_error(source, "no header line (expected frame,timestamp,<AU names>)");

  const auto header = csv_split(lines[i].text);
  const std::string hline = source + ": line " + std::to_string(lines[i].number);
  if (header.size() < 3 || header[0] != "frame" || header[1] != "timestamp")
    throw input_error(hline, "header must start with frame,timestamp followed by AU names");
  std::vector<int> column_au;  // AU index, or -1/-2/-3 for head_yaw/head_pitch/head_roll
  int max_au = -1;
  bool has_pose = false;
  for (size_t c = 2; c < header.size(); ++c) {
    if (header[c] == "head_yaw" || header[c] == "head_pitch" || header[c] == "head_roll") {
      int code = header[c] == "head_yaw" ? -1 : header[c] == "head_pitch" ? -2 : -3;
      if (std::find(column_au.begin(), column_au.end(), code) != column_au.end())
        throw input_error(hline, "column '" + std::string(header[c]) + "' appears twice");
      column_au.push_back(code);
      has_pose = true;
      continue;
    }
    auto au = find_au(header[c]);
    if (!au || header[c].find_first_not_of("0123456789") == std::string_view::npos)
      throw input_error(hline, "column " + std::to_string(c + 1) + " '" + std::string(header[c]) + "' is not an AU name");
    if (std::find(column_au.begin(), column_au.end(), *au) != column_au.end())
      throw input_error(hline, "AU '" + std::string(header[c]) + "' appears twice");
    column_au.push_back(*au);
    max_au = std::max(max_au, *au);
  }

  AuSequence seq;
  seq.au_set = meta.au_set.value_or(max_au < kNumFeafaAus ? AuSet::feafa24 : AuSet::auhead30);
  seq.emotion = meta.emotion;
  std::vector<double> stamps;
  long long first_frame = 0;
  for (++i; i < lines.size(); ++i) {
    if (lines[i].text.front() == '#') continue;
    const std::string where = source + ": line " + std::to_string(lines[i].number);
    auto cells = csv_split(lines[i].text);
    if (cells.size() != header.size())
      throw input_error(where, "expected " + std::to_string(header.size()) + " fields, got " + std::to_string(cells.size()));
    auto frame = parse_number<long long>(cells[0]);
    if (!frame) throw input_error(where, "frame '" + std::string(cells[0]) + "' is not an integer");
    if (seq.frames.empty()) first_frame = *frame;
    if (*frame != first_frame + (long long)seq.frames.size())
      throw input_error(where, "frame " + std::to_string(*frame) + " out of sequence (expected " +
                                   std::to_string(first_frame + (long long)seq.frames.size()) + ")");
    auto t = parse_number<double>(cells[1]);
    if (!t || !std::isfinite(*t)) throw input_error(where, "timestamp '" + std::string(cells[1]) + "' is not a number");
    if (!stamps.empty() && !(*t > stamps.back()))
      throw input_error(where, "timestamp " + std::string(cells[1]) + " is not after the previous one (" +
                                   format_number(stamps.back()) + ")");
    stamps.push_back(*t);
    AuFrame values{};
    std::array<float, 3> pose{};
    for (size_t c = 2; c < cells.size(); ++c) {
      auto v = parse_number<float>(cells[c]);
      if (column_au[c - 2] < 0) {
        if (!v || !std::isfinite(*v))
          throw input_error(where, std::string(header[c]) + " '" + std::string(cells[c]) + "' is not a number");
        pose[-column_au[c - 2] - 1] = *v;
        continue;
      }
      const std::string col = std::string(au_table()[column_au[c - 2]].name);
      if (!v) throw input_error(where, col + " '" + std::string(cells[c]) + "' is not a number");
      if (std::isnan(*v)) throw input_error(where, col + " is NaN");
      if (!(*v >= 0.f && *v <= 1.f)) throw input_error(where, col + " value " + std::string(cells[c]) + " is outside [0, 1]");
      values[column_au[c - 2]] = *v;
    }
    seq.frames.push_back(values);
    if (has_pose) seq.head_pose.push_back(pose);
  }
  if (seq.frames.empty()) throw input_error(source, "contains no frames");

  if (meta.fps) {
    seq.fps = *meta.fps;
  } else if (stamps.size() >= 2) {
    // No metadata line: the rate is what the timestamps say, snapped to 1/1000 fps.
    double fps = double(stamps.size() - 1) / (stamps.back() - stamps.front());
    seq.fps = std::round(fps * 1000.0) / 1000.0;
  } else {
    throw input_error(source, "a single row without a '# auhead fps=...' line does not give the frame rate");
  }
  if (!(seq.fps > 0 && std::isfinite(seq.fps))) throw input_error(source, "fps must be a positive number");
  // Timestamps must agree with frame / fps (to half a frame).
  for (size_t f = 0; f < stamps.size(); ++f) {
    double expect = stamps.front() + double(f) / seq.fps;
    if (std::abs(stamps[f] - expect) > 0.5 / seq.fps)
      throw input_error(source, "frame " + std::to_string(f) + ": timestamp " + format_number(stamps[f]) +
                                    " does not match " + format_number(seq.fps) + " fps");
  }
  seq.validate(source);
  return seq;
}

}  // namespace auhead
