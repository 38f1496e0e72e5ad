#include <gtest/gtest.h>

#include <random>

#include "audio2au/alm/au_answer.h"
#include "audio2au/alm/au_answer_grammar.h"
#include "test_util.h"

using namespace auhead;
using namespace auhead::audio2au::alm;
using auhead::test::error_of;

namespace {
AuAnswer parse(const std::string& text) { return parse_au_answer(text, "answer.txt"); }
}  // namespace

TEST(AlmAuAnswer, FormatsTheCanonicalText) {
  std::vector<AuFrame> frames(3, AuFrame{});
  frames[0][11] = 0.45f, frames[0][12] = 0.43f, frames[0][8] = 0.2f, frames[0][0] = 0.004f /* rounds to 0 */;
  frames[0][6] = 1.f;  // brow: before the mouth in spatial order
  frames[1][8] = 0.35f;
  EXPECT_EQ(format_au_answer(EmotionState{Emotion::happy, 0.7f}, frames),
            "Emotion: happy (0.70)\nAU: <f0> 6:1.00 8:.20 11:.45 12:.43 | <f1> 8:.35 | <f2> |");
  EXPECT_EQ(format_answer_value(0.005f), ".01");
  EXPECT_EQ(format_answer_value(0.994f), ".99");
  EXPECT_EQ(format_answer_value(0.996f), "1.00");
}

TEST(AlmAuAnswer, ParsesTheDesignExampleAndRoundTrips) {
  AuAnswer a = parse("Emotion: happy (0.70)\nAU: <f0> 11:.45 12:.43 8:.20 | <f1> 8:.35 | <f2> |");
  ASSERT_TRUE(a.emotion);
  EXPECT_EQ(a.emotion->label, Emotion::happy);
  EXPECT_FLOAT_EQ(a.emotion->intensity, 0.7f);
  ASSERT_EQ(a.frames.size(), 3u);
  EXPECT_FLOAT_EQ(a.frames[0][11], 0.45f);
  EXPECT_FLOAT_EQ(a.frames[0][8], 0.2f);
  EXPECT_FLOAT_EQ(a.frames[1][8], 0.35f);
  EXPECT_EQ(a.frames[2], AuFrame{});
  EXPECT_EQ(a.highest_index, 12);
  // Formatting what was parsed and parsing again gives the same values (2 decimals are exact here).
  AuAnswer b = parse(format_au_answer(a.emotion, a.frames));
  EXPECT_EQ(b.frames, a.frames);
  EXPECT_EQ(b.emotion, a.emotion);
}

TEST(AlmAuAnswer, ParsesThePrototypeJsonStyle) {
  AuAnswer a = parse("[[[0, 0.12], [3, 0.56]], [], [[23, 1]]]");
  EXPECT_FALSE(a.emotion);
  ASSERT_EQ(a.frames.size(), 3u);
  EXPECT_FLOAT_EQ(a.frames[0][3], 0.56f);
  EXPECT_FLOAT_EQ(a.frames[2][23], 1.f);
  AuAnswer b = parse("Emotion: sad\nAU: [[[4, .3]]]");
  ASSERT_TRUE(b.emotion);
  EXPECT_EQ(b.emotion->label, Emotion::sad);
  EXPECT_FLOAT_EQ(b.emotion->intensity, 0.7f);  // no number: the default intensity
  EXPECT_FLOAT_EQ(b.frames[0][4], 0.3f);
}

TEST(AlmAuAnswer, IsLenientAboutSpacesAndNumberSpelling) {
  AuAnswer a = parse("  Emotion:angry(1)\n\nAU:<f0>8:0.5  9:1|<f1>|\n");
  EXPECT_EQ(a.emotion->label, Emotion::angry);
  EXPECT_FLOAT_EQ(a.frames[0][9], 1.f);
  EXPECT_EQ(a.frames.size(), 2u);
}

TEST(AlmAuAnswer, BrokenAnswersAreErrorsNamingTheLineAndColumn) {
  EXPECT_EQ(error_of([] { parse("Emotion: bored (0.5)\nAU: <f0> |"); }),
            "answer.txt: answer line 1, column 10: unknown emotion 'bored' (expected one of angry, contempt, disgusted, "
            "fear, happy, neutral, sad, surprised)");
  EXPECT_EQ(error_of([] { parse("AU: <f0> 8:.5 | <f2> |"); }), "answer.txt: answer line 1, column 19: expected frame tag <f1>");
  EXPECT_EQ(error_of([] { parse("AU: <f0> 8:.5 8:.6 |"); }), "answer.txt: answer line 1, column 15: AU 8 appears twice in frame 0");
  EXPECT_EQ(error_of([] { parse("AU: <f0> 30:.5 |"); }), "answer.txt: answer line 1, column 10: AU index 30 is not one of 0..29");
  EXPECT_EQ(error_of([] { parse("AU: <f0> 3:1.5 |"); }), "answer.txt: answer line 1, column 10: AU value 1.5 is outside [0, 1]");
  EXPECT_EQ(error_of([] { parse("AU: <f0> 3:.5"); }), "answer.txt: answer line 1, column 14: the frame is not closed by '|'");
  EXPECT_EQ(error_of([] { parse("Emotion: sad (0.5)\n"); }), "answer.txt: answer line 2, column 1: expected 'AU:' after the emotion");
  EXPECT_EQ(error_of([] { parse("AU: "); }), "answer.txt: answer line 1, column 5: the answer has no AU frames");
  EXPECT_EQ(error_of([] { parse("AU: <f0> | thanks!"); }), "answer.txt: answer line 1, column 12: unexpected text after the AU frames");
  EXPECT_EQ(error_of([] { parse("I think the speaker is happy."); }), "answer.txt: answer line 1, column 1: expected 'Emotion:' or 'AU:'");
  EXPECT_NE(error_of([] { parse("[[[0, 0.1], [0, 0.2]]]"); }), "");
  EXPECT_NE(error_of([] { parse("Emotion: happy (2)\nAU: <f0> |"); }), "");
}

namespace {
// Feeds text to a grammar; true when every byte is accepted and the answer is complete.
bool grammar_accepts(const AuAnswerGrammar& g, std::string_view text) {
  auto s = g.start();
  for (unsigned char c : text)
    if (!g.step(s, c)) return false;
  return g.complete(s);
}
}  // namespace

TEST(AlmAuAnswerGrammar, AcceptsCanonicalAnswersOfTheRightLength) {
  AuAnswerGrammar g(AuGrammarOptions(3));
  EXPECT_TRUE(grammar_accepts(g, "Emotion: happy (0.70)\nAU: <f0> 11:.45 12:.43 8:.20 | <f1> 8:.35 | <f2> |"));
  EXPECT_TRUE(grammar_accepts(g, "Emotion: surprised (1.00)\nAU: <f0> 29:1.00 0:.01 | <f1> | <f2> |\n"));
  EXPECT_FALSE(grammar_accepts(g, "Emotion: happy (0.70)\nAU: <f0> | <f1> |"));             // too few frames
  EXPECT_FALSE(grammar_accepts(g, "Emotion: happy (0.70)\nAU: <f0> | <f1> | <f2> | <f3> |"));  // too many
  EXPECT_FALSE(grammar_accepts(g, "Emotion: happy (0.70)\nAU: <f0> | <f2> | <f1> |"));       // out of order
  EXPECT_FALSE(grammar_accepts(g, "Emotion: happy (0.70)\nAU: <f0> 8:.20 8:.30 | <f1> | <f2> |"));  // twice
  EXPECT_FALSE(grammar_accepts(g, "Emotion: happy (0.70)\nAU: <f0> 30:.20 | <f1> | <f2> |"));
  EXPECT_FALSE(grammar_accepts(g, "Emotion: happy (0.70)\nAU: <f0> 08:.20 | <f1> | <f2> |"));
  EXPECT_FALSE(grammar_accepts(g, "Emotion: happy (0.70)\nAU: <f0> 8:.00 | <f1> | <f2> |"));  // zeros are left out
  EXPECT_FALSE(grammar_accepts(g, "Emotion: happy (0.70)\nAU: <f0> 8:0.2 | <f1> | <f2> |"));
  EXPECT_FALSE(grammar_accepts(g, "Emotion: happy (1.50)\nAU: <f0> | <f1> | <f2> |"));
  EXPECT_FALSE(grammar_accepts(g, "Emotion: bored (0.50)\nAU: <f0> | <f1> | <f2> |"));
  EXPECT_FALSE(grammar_accepts(AuAnswerGrammar(AuGrammarOptions(3, {}, 24)),
                               "Emotion: happy (0.70)\nAU: <f0> 25:.20 | <f1> | <f2> |"));
}

TEST(AlmAuAnswerGrammar, ForcedEmotionAllowsOnlyThatLine) {
  AuAnswerGrammar g(AuGrammarOptions(1, EmotionState{Emotion::sad, 0.4f}));
  EXPECT_TRUE(grammar_accepts(g, "Emotion: sad (0.40)\nAU: <f0> 4:.30 |"));
  EXPECT_FALSE(grammar_accepts(g, "Emotion: happy (0.40)\nAU: <f0> 4:.30 |"));
  EXPECT_FALSE(grammar_accepts(g, "Emotion: sad (0.41)\nAU: <f0> 4:.30 |"));
}

// Random walks through the automaton: whatever it allows, byte by byte, must never reach a dead end,
// must stay within max_length() and must always parse into the asked frames and emotion.
TEST(AlmAuAnswerGrammar, EveryRandomWalkParses) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 300; ++trial) {
    AuGrammarOptions o;
    o.frames = 1 + int(rng() % 13);
    o.au_count = trial % 3 == 0 ? 24 : 30;
    if (trial % 4 == 1) o.emotion = EmotionState{Emotion(rng() % kNumEmotions), float(rng() % 101) / 100.f};
    AuAnswerGrammar g(o);
    auto s = g.start();
    std::string text;
    while (!g.complete(s) || (rng() % 4 == 0 && text.back() != '\n')) {
      std::vector<unsigned char> next;
      for (int c = 0; c < 256; ++c) {
        auto t = s;
        if (g.step(t, static_cast<unsigned char>(c))) next.push_back(static_cast<unsigned char>(c));
      }
      ASSERT_FALSE(next.empty()) << "dead end after: " << text;
      const unsigned char c = next[rng() % next.size()];
      ASSERT_TRUE(g.step(s, c));
      text += char(c);
    }
    ASSERT_LE(int64_t(text.size()), g.max_length());
    AuAnswer a = parse_au_answer(text, "walk");
    EXPECT_EQ(int(a.frames.size()), o.frames) << text;
    ASSERT_TRUE(a.emotion);
    if (o.emotion) {
      EXPECT_EQ(a.emotion->label, o.emotion->label);
      EXPECT_NEAR(a.emotion->intensity, o.emotion->intensity, 0.005f);
    }
    EXPECT_LT(a.highest_index, o.au_count);
  }
}

TEST(AlmAuAnswerGrammar, TheLongestAnswerFitsTheBound) {
  // Every AU at 1.00 in every frame of a 120-frame answer with the longest label.
  std::vector<AuFrame> frames(120);
  for (auto& f : frames) f.fill(1.f);
  const std::string text = format_au_answer(EmotionState{Emotion::surprised, 1.f}, frames) + "\n";
  AuAnswerGrammar g(AuGrammarOptions(120));
  EXPECT_TRUE(grammar_accepts(g, text));
  EXPECT_LE(int64_t(text.size()), g.max_length());
}
