// The canonical answer of docs/design.md §5 as a character automaton, so decoding can allow only tokens
// that keep the answer well formed: every string it completes parses with parse_au_answer(), has
// exactly the asked number of frames and, when asked, states the given emotion. Within a frame any
// order is allowed (the canonical writer uses the spatial order) but an AU only once.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "auhead/au_sequence.h"

namespace auhead::audio2au::alm {

struct AuGrammarOptions {
  explicit AuGrammarOptions(int frames_ = 1, std::optional<EmotionState> emotion_ = {}, int au_count_ = kNumAus)
      : frames(frames_), emotion(emotion_), au_count(au_count_) {}
  int frames;                            // the answer must have exactly this many frames (≥ 1)
  std::optional<EmotionState> emotion;   // when set, the emotion line must be exactly this one
  int au_count;                          // indices 0 .. au_count-1 (24 for a FEAFA-24 writer)
};

class AuAnswerGrammar {
 public:
  // Where the automaton is: small and trivially copyable, so a search can branch on it cheaply.
  struct State {
    uint8_t phase = 0;
    uint8_t pos = 0;         // characters read in the current literal, number or label
    uint8_t first = 0;       // the first character of the current number
    uint8_t index = 0;       // the AU index being read
    uint32_t used = 0;       // AU indices already written in this frame (bit i)
    uint16_t labels = 0;     // emotion labels still matching
    int32_t frame = 0;       // frames completed
  };

  explicit AuAnswerGrammar(const AuGrammarOptions& options);

  State start() const { return State{}; }
  // Advances `s` by one byte; false (and `s` unspecified) when the byte is not allowed there.
  bool step(State& s, unsigned char c) const;
  // Whether the text read so far is a whole answer (only the end of the answer may follow, or a
  // single trailing newline).
  bool complete(const State& s) const;
  // An upper bound on the length in bytes of any answer, so a token budget of this many can never
  // cut one short.
  int64_t max_length() const;

  const AuGrammarOptions& options() const { return options_; }

 private:
  AuGrammarOptions options_;
  std::string head_;                   // the forced "Emotion: ... \nAU: " when options_.emotion is set
};

}  // namespace auhead::audio2au::alm
