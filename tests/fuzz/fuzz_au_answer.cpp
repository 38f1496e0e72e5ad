// libFuzzer harness: the answers of the alm AU generator (src/audio2au/alm/au_answer.h) and the
// grammar that constrains its decoding (au_answer_grammar.h).
//
// Input: three option bytes, then the answer text.
//   byte 0: frames = 1 + byte 0
//   byte 1: bit 7: au_count 24 (else 30); bit 6: an emotion is forced; bits 0-5: its label (mod 8)
//   byte 2: the forced intensity, min(byte 2, 100) / 100
// The text goes to parse_au_answer, and byte by byte through AuAnswerGrammar::step. Oracle
// (AUHEAD_FUZZ_ORACLES, on by default): every prefix the grammar calls complete parses with
// parse_au_answer, has exactly `frames` frames, no index >= au_count, the forced emotion when one is
// forced, and is no longer than max_length() (au_answer_grammar.h's promise).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "audio2au/alm/au_answer.h"
#include "audio2au/alm/au_answer_grammar.h"
#include "auhead/error.h"
#include "fuzz_util.h"

namespace alm = auhead::audio2au::alm;

namespace {

void check_complete(const alm::AuGrammarOptions& opt, const alm::AuAnswerGrammar& g, std::string_view text) {
  const std::string shown = "grammar-complete answer \"" + std::string(text) + "\" (frames " +
                            std::to_string(opt.frames) + ", au_count " + std::to_string(opt.au_count) + ")";
  AUHEAD_FUZZ_CHECK(int64_t(text.size()) <= g.max_length(), shown + " is longer than max_length()");
  alm::AuAnswer a;
  try {
    a = alm::parse_au_answer(text, "grammar");
  } catch (const auhead::Error& e) {
    auhead::fuzz::oracle_failed(shown + " does not parse: " + e.what());
  }
  AUHEAD_FUZZ_CHECK(int(a.frames.size()) == opt.frames, shown + " parses to " + std::to_string(a.frames.size()) + " frames");
  AUHEAD_FUZZ_CHECK(a.highest_index < opt.au_count, shown + " has AU index " + std::to_string(a.highest_index));
  if (opt.emotion) {
    AUHEAD_FUZZ_CHECK(a.emotion && a.emotion->label == opt.emotion->label &&
                          std::abs(a.emotion->intensity - opt.emotion->intensity) < 0.006f,
                      shown + " does not state the forced emotion");
  }
}

}  // namespace

namespace {

int fuzz_one(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 3, size - 3);

  try {
    alm::AuAnswer a = alm::parse_au_answer(text, "answer");
    auhead::fuzz::note("answer: " + std::to_string(a.frames.size()) + " frames");
    (void)alm::format_au_answer(a.emotion, a.frames);
  } catch (const auhead::Error& e) {
    auhead::fuzz::rejected(e);
  }

  std::optional<auhead::EmotionState> emotion;
  if (data[1] & 0x40)
    emotion = auhead::EmotionState{auhead::Emotion((data[1] & 0x3f) % auhead::kNumEmotions),
                                   float(data[2] > 100 ? 100 : data[2]) / 100.f};
  const alm::AuGrammarOptions opt(1 + data[0], emotion, (data[1] & 0x80) ? auhead::kNumFeafaAus : auhead::kNumAus);
  const alm::AuAnswerGrammar grammar(opt);
  alm::AuAnswerGrammar::State s = grammar.start();
  for (size_t i = 0; i < text.size(); ++i) {
    if (!grammar.step(s, static_cast<unsigned char>(text[i]))) {
      auhead::fuzz::note("grammar stops at byte " + std::to_string(i));
      break;
    }
    if (auhead::fuzz::oracles_on() && grammar.complete(s)) check_complete(opt, grammar, text.substr(0, i + 1));
  }
  return 0;
}

}  // namespace

AUHEAD_FUZZ_ENTRY(fuzz_one)
