// The text an AU-writing audio-language model answers with (docs/design.md §5): the emotion first, then
// 5-fps AU frames as sparse "index:value" pairs in spatial order. Writes the canonical form; reads it
// and the prototype's JSON style, leniently about spaces and number spelling, strictly about structure.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auhead/au_sequence.h"

namespace auhead::audio2au::alm {

inline constexpr double kAnswerFps = 5.0;           // one AU frame per 3200 samples at 16 kHz
inline constexpr int kAnswerFrameSamples = 3200;

struct AuAnswer {
  std::optional<EmotionState> emotion;  // absent when the answer has no "Emotion:" line
  std::vector<AuFrame> frames;          // at kAnswerFps
  int highest_index = -1;               // the largest AU index written (< 24: a FEAFA-24 writer)
};

// "Emotion: happy (0.70)\nAU: <f0> 11:.45 12:.43 8:.20 | <f1> |" — values rounded to 2 decimals and
// written without the leading zero (".45", "1.00"), zeros omitted, pairs in au_spatial_order().
std::string format_au_answer(const std::optional<EmotionState>& emotion, const std::vector<AuFrame>& frames);
// The emotion line alone, with its newline: "Emotion: happy (0.70)\n".
std::string format_emotion_line(const EmotionState& emotion);
// An AU value as the canonical answer writes it (v rounded to 2 decimals, > 0): ".45", "1.00".
std::string format_answer_value(float v);

// Parses an answer. Accepted: an optional "Emotion: LABEL [(X)]" line (X in [0, 1]; without it the
// intensity is 0.7), then "AU:" followed by canonical frames ("<fK>" with K = 0, 1, 2, … each closed by
// "|") or the JSON style [[[index, value], ...], [], ...] (the "AU:" may be left out before JSON).
// Values may be written ".45", "0.45" or "1". Anything else — an unknown emotion, an index outside
// 0..29, a repeated index in a frame, a value outside [0, 1], frames out of order, a missing "|", no AU
// frames at all, trailing text — throws input_error(source, "answer line L, column C: ...").
AuAnswer parse_au_answer(std::string_view text, const std::string& source);

}  // namespace auhead::audio2au::alm
