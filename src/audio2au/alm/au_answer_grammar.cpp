#include "audio2au/alm/au_answer_grammar.h"

#include <string_view>

#include "audio2au/alm/au_answer.h"
#include "auhead/error.h"

namespace auhead::audio2au::alm {

namespace {
enum Phase : uint8_t {
  kEmotionWord,  // "Emotion: "
  kForcedHead,   // the whole forced emotion line and "AU: "
  kLabel,        // one of the emotion labels, then ' '
  kLabelTail,    // "(" after the label's space
  kIntensity,    // "0.DD" or "1.00"
  kHeadTail,     // ")\nAU: "
  kFrameOpen,    // "<f"
  kFrameIndex,   // the frame number, then '>'
  kAfterItem,    // ' ' after a frame tag or a pair
  kItem,         // an AU index, or '|' closing the frame
  kIndex,        // more index digits, or ':'
  kValue,        // ".DD" (not ".00") or "1.00"
  kBetween,      // ' ' before the next frame
  kDone,         // the answer is whole; a newline may follow
  kDoneNewline,  // the answer is whole
};

constexpr std::string_view kEmotionWordText = "Emotion: ";
constexpr std::string_view kLabelTailText = " (";
constexpr std::string_view kHeadTailText = ")\nAU: ";
constexpr std::string_view kFrameOpenText = "<f";

bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

// Consumes c as the next character of `text` at s.pos; moves to `next` (pos 0) after the last one.
bool literal(AuAnswerGrammar::State& s, unsigned char c, std::string_view text, uint8_t next) {
  if (s.pos >= text.size() || c != static_cast<unsigned char>(text[s.pos])) return false;
  if (++s.pos == text.size()) s.phase = next, s.pos = 0;
  return true;
}

int digit_count(int n) { return n < 10 ? 1 : 1 + digit_count(n / 10); }
}  // namespace

AuAnswerGrammar::AuAnswerGrammar(const AuGrammarOptions& options) : options_(options) {
  if (options_.frames < 1) throw usage_error("AU answer grammar: the frame count must be at least 1");
  if (options_.au_count < 1 || options_.au_count > kNumAus)
    throw usage_error("AU answer grammar: the AU count must be 1.." + std::to_string(kNumAus));
  if (options_.emotion) head_ = format_emotion_line(*options_.emotion) + "AU: ";
}

bool AuAnswerGrammar::step(State& s, unsigned char c) const {
  // An index n may be written next in this frame.
  auto index_ok = [&](int n) { return n < options_.au_count && !(s.used >> n & 1); };
  switch (s.phase) {
    case kEmotionWord:
      if (options_.emotion) {
        s.phase = kForcedHead;
        return literal(s, c, head_, kFrameOpen);
      }
      if (!literal(s, c, kEmotionWordText, kLabel)) return false;
      if (s.phase == kLabel) s.labels = (1u << kNumEmotions) - 1;
      return true;
    case kForcedHead: return literal(s, c, head_, kFrameOpen);
    case kLabel: {
      uint16_t still = 0;
      bool whole = false;
      for (int e = 0; e < kNumEmotions; ++e) {
        if (!(s.labels >> e & 1)) continue;
        const std::string_view name = emotion_name(Emotion(e));
        if (name.size() == s.pos) whole = true;
        else if (static_cast<unsigned char>(name[s.pos]) == c) still |= uint16_t(1u << e);
      }
      if (still) {
        s.labels = still, ++s.pos;
        return true;
      }
      if (c != ' ' || !whole) return false;
      s.phase = kLabelTail, s.pos = 1;
      return true;
    }
    case kLabelTail: return literal(s, c, kLabelTailText, kIntensity);
    case kIntensity:
      if (s.pos == 0) {
        if (c != '0' && c != '1') return false;
        s.first = c;
      } else if (s.pos == 1) {
        if (c != '.') return false;
      } else if (!(s.first == '1' ? c == '0' : is_digit(c))) {
        return false;
      }
      if (++s.pos == 4) s.phase = kHeadTail, s.pos = 0;
      return true;
    case kHeadTail: return literal(s, c, kHeadTailText, kFrameOpen);
    case kFrameOpen: return literal(s, c, kFrameOpenText, kFrameIndex);
    case kFrameIndex: {
      const std::string number = std::to_string(s.frame);
      if (s.pos < number.size()) {
        if (c != static_cast<unsigned char>(number[s.pos])) return false;
        ++s.pos;
        return true;
      }
      if (c != '>') return false;
      s.phase = kAfterItem, s.pos = 0, s.used = 0;
      return true;
    }
    case kAfterItem:
      if (c != ' ') return false;
      s.phase = kItem;
      return true;
    case kItem:
      if (c == '|') {
        ++s.frame;
        s.phase = s.frame == options_.frames ? kDone : kBetween;
        return true;
      }
      if (!is_digit(c)) return false;
      {
        const int d = c - '0';
        bool viable = index_ok(d);
        for (int e = 0; e <= 9 && d != 0 && !viable; ++e) viable = index_ok(10 * d + e);
        if (!viable) return false;
        s.phase = kIndex, s.index = uint8_t(d), s.pos = 1;
      }
      return true;
    case kIndex:
      if (c == ':') {
        if (!index_ok(s.index)) return false;
        s.used |= 1u << s.index;
        s.phase = kValue, s.pos = 0;
        return true;
      }
      if (!is_digit(c) || s.index == 0 || s.pos >= 2) return false;
      {
        const int n = 10 * s.index + (c - '0');
        if (!index_ok(n)) return false;
        s.index = uint8_t(n), ++s.pos;
      }
      return true;
    case kValue:
      if (s.pos == 0) {
        if (c != '.' && c != '1') return false;
        s.first = c, s.pos = 1;
        return true;
      }
      if (s.first == '1') {  // "1.00"
        if (c != (s.pos == 1 ? '.' : '0')) return false;
        if (++s.pos == 4) s.phase = kAfterItem, s.pos = 0;
        return true;
      }
      if (!is_digit(c)) return false;  // ".DD", not ".00"
      if (s.pos == 1) {
        s.first = c == '0' ? '0' : '.', s.pos = 2;  // remember whether the first decimal was 0
        return true;
      }
      if (s.first == '0' && c == '0') return false;
      s.phase = kAfterItem, s.pos = 0;
      return true;
    case kBetween:
      if (c != ' ') return false;
      s.phase = kFrameOpen, s.pos = 0;
      return true;
    case kDone:
      if (c != '\n') return false;
      s.phase = kDoneNewline;
      return true;
    default: return false;
  }
}

bool AuAnswerGrammar::complete(const State& s) const { return s.phase == kDone || s.phase == kDoneNewline; }

int64_t AuAnswerGrammar::max_length() const {
  const int64_t head = options_.emotion ? int64_t(head_.size())
                                        : int64_t(kEmotionWordText.size() + 9 /* "surprised" */ + kLabelTailText.size() + 4 +
                                                  kHeadTailText.size());
  const int64_t pair = 8;  // " 29:1.00"
  const int64_t frame = 1 /* ' ' */ + 2 + digit_count(options_.frames) + 1 + pair * options_.au_count + 2;
  return head + frame * options_.frames + 1 /* trailing newline */;
}

}  // namespace auhead::audio2au::alm
