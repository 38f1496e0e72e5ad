#include "audio2au/alm/au_answer.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

#include "au/number_format.h"
#include "auhead/error.h"

namespace auhead::audio2au::alm {

namespace {
constexpr float kDefaultIntensity = 0.7f;

int round_hundredths(float v) { return int(std::lround(std::clamp(v, 0.f, 1.f) * 100.f)); }

// A read position in the answer that reports errors by line and column.
class Cursor {
 public:
  Cursor(std::string_view text, const std::string& source) : text_(text), source_(source) {}

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  void skip_space() {
    while (!at_end() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  // Skips spaces, then consumes `word` if it is next.
  bool accept(std::string_view word) {
    skip_space();
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }
  void expect(std::string_view word, std::string_view what) {
    if (!accept(word)) fail("expected " + std::string(what));
  }
  // A decimal number (digits, optional '.', digits; no sign, no exponent) after optional spaces.
  std::optional<double> number() {
    skip_space();
    size_t end = pos_;
    while (end < text_.size() && (std::isdigit(static_cast<unsigned char>(text_[end])) || text_[end] == '.')) ++end;
    std::string_view s = text_.substr(pos_, end - pos_);
    if (s.empty() || s == ".") return std::nullopt;
    std::string spelled(s);
    if (spelled.front() == '.') spelled.insert(spelled.begin(), '0');
    auto v = parse_number<double>(spelled);
    if (v) pos_ = end;
    return v;
  }
  std::string word() {
    skip_space();
    size_t end = pos_;
    while (end < text_.size() && std::isalpha(static_cast<unsigned char>(text_[end]))) ++end;
    std::string w(text_.substr(pos_, end - pos_));
    pos_ = end;
    return w;
  }
  size_t mark() const { return pos_; }
  [[noreturn]] void fail(const std::string& what, std::optional<size_t> at = {}) const {
    const size_t p = std::min(at.value_or(pos_), text_.size());
    size_t line = 1, col = 1;
    for (size_t i = 0; i < p; ++i) {
      if (text_[i] == '\n') ++line, col = 1;
      else ++col;
    }
    throw input_error(source_, "answer line " + std::to_string(line) + ", column " + std::to_string(col) + ": " + what);
  }

 private:
  std::string_view text_;
  const std::string& source_;
  size_t pos_ = 0;
};

// Adds index:value to the frame, checking range and repetition.
void put_pair(Cursor& c, AuAnswer& answer, AuFrame& frame, std::vector<bool>& seen, double index, double value,
              size_t at) {
  if (index != std::floor(index) || index < 0 || index >= kNumAus)
    c.fail("AU index " + format_number(index) + " is not one of 0.." + std::to_string(kNumAus - 1), at);
  const int i = int(index);
  if (seen[i]) c.fail("AU " + std::to_string(i) + " appears twice in frame " + std::to_string(answer.frames.size()), at);
  if (!(value >= 0 && value <= 1)) c.fail("AU value " + format_number(value) + " is outside [0, 1]", at);
  seen[i] = true;
  frame[i] = float(value);
  answer.highest_index = std::max(answer.highest_index, i);
}

void parse_emotion_line(Cursor& c, AuAnswer& answer) {
  c.skip_space();
  const size_t at = c.mark();
  const std::string label = c.word();
  auto e = auhead::parse_emotion(label);
  if (!e) c.fail("unknown emotion '" + label + "' (expected one of " + emotion_list() + ")", at);
  EmotionState state{*e, kDefaultIntensity};
  if (c.accept("(")) {
    const size_t vat = c.mark();
    auto v = c.number();
    if (!v || *v < 0 || *v > 1) c.fail("the emotion intensity must be a number in [0, 1]", vat);
    state.intensity = float(*v);
    c.expect(")", "')' after the emotion intensity");
  }
  answer.emotion = state;
}

void parse_canonical_frames(Cursor& c, AuAnswer& answer) {
  while (c.accept("<f")) {
    const size_t at = c.mark();
    auto k = c.number();
    if (!k || *k != double(answer.frames.size()))
      c.fail("expected frame tag <f" + std::to_string(answer.frames.size()) + ">", at);
    c.expect(">", "'>' closing the frame tag");
    AuFrame frame{};
    std::vector<bool> seen(kNumAus, false);
    while (!c.accept("|")) {
      const size_t pat = c.mark();
      auto index = c.number();
      if (!index) c.fail(c.at_end() ? "the frame is not closed by '|'" : "expected 'index:value' or '|'");
      c.expect(":", "':' after the AU index");
      auto value = c.number();
      if (!value) c.fail("expected an AU value after ':'");
      put_pair(c, answer, frame, seen, *index, *value, pat);
    }
    answer.frames.push_back(frame);
  }
}

void parse_json_frames(Cursor& c, AuAnswer& answer) {
  c.expect("[", "'['");
  if (c.accept("]")) return;
  do {
    c.expect("[", "'[' opening a frame");
    AuFrame frame{};
    std::vector<bool> seen(kNumAus, false);
    if (!c.accept("]")) {
      do {
        const size_t at = c.mark();
        c.expect("[", "'[' opening an [index, value] pair");
        auto index = c.number();
        if (!index) c.fail("expected an AU index");
        c.expect(",", "',' between index and value");
        auto value = c.number();
        if (!value) c.fail("expected an AU value");
        c.expect("]", "']' closing the pair");
        put_pair(c, answer, frame, seen, *index, *value, at);
      } while (c.accept(","));
      c.expect("]", "']' closing the frame");
    }
    answer.frames.push_back(frame);
  } while (c.accept(","));
  c.expect("]", "']' closing the frame list");
}
}  // namespace

std::string format_answer_value(float v) {
  const int h = round_hundredths(v);
  if (h >= 100) return "1.00";
  return std::string{'.', char('0' + h / 10), char('0' + h % 10)};
}

std::string format_emotion_line(const EmotionState& emotion) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.2f", round_hundredths(emotion.intensity) / 100.0);
  return "Emotion: " + std::string(emotion_name(emotion.label)) + " (" + buf + ")\n";
}

std::string format_au_answer(const std::optional<EmotionState>& emotion, const std::vector<AuFrame>& frames) {
  std::string out = emotion ? format_emotion_line(*emotion) : "";
  out += "AU:";
  for (size_t k = 0; k < frames.size(); ++k) {
    out += " <f" + std::to_string(k) + ">";
    for (int i : au_spatial_order())
      if (round_hundredths(frames[k][i]) > 0) out += " " + std::to_string(i) + ":" + format_answer_value(frames[k][i]);
    out += " |";
  }
  return out;
}

AuAnswer parse_au_answer(std::string_view text, const std::string& source) {
  Cursor c(text, source);
  AuAnswer answer;
  if (c.accept("Emotion:")) parse_emotion_line(c, answer);
  const bool labelled = c.accept("AU:");
  c.skip_space();
  if (c.peek() == '[') parse_json_frames(c, answer);
  else if (labelled) parse_canonical_frames(c, answer);
  else c.fail(answer.emotion ? "expected 'AU:' after the emotion" : "expected 'Emotion:' or 'AU:'");
  if (answer.frames.empty()) c.fail("the answer has no AU frames");
  c.skip_space();
  if (!c.at_end()) c.fail("unexpected text after the AU frames");
  return answer;
}

}  // namespace auhead::audio2au::alm
