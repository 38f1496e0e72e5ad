// Unit tests of the phonetic generator's parts: viseme table, coarticulation, blinks, prosody, and
// the fast front end's latency.
#include <gtest/gtest.h>

#include <algorithm>

#include "audio2au/phonetic/blink_generator.h"
#include "audio2au/phonetic/coarticulation.h"
#include "audio2au/phonetic/phonetic_generator.h"
#include "audio2au/phonetic/phonetic_params.h"
#include "audio2au/phonetic/prosody_emotion.h"
#include "audio2au/phonetic/signal_features.h"
#include "audio2au/phonetic/viseme_table.h"
#include "audio2au/phonetic/phonetic_support.h"

using namespace auhead;
using namespace auhead::audio2au::phonetic;
namespace ps = phonetic_support;

TEST(PhoneticVisemeTable, CoversThePocketsphinxPhoneSet) {
  const auto& t = VisemeTable::standard();
  for (const char* p : {"AA", "AE", "AH", "AO", "AW", "AY", "B",  "CH", "D",  "DH", "EH", "ER", "EY", "F",
                        "G",  "HH", "IH", "IY", "JH", "K",  "L",  "M",  "N",  "NG", "OW", "OY", "P",  "R",
                        "S",  "SH", "T",  "TH", "UH", "UW", "V",  "W",  "Y",  "Z",  "ZH", "SIL"})
    EXPECT_TRUE(t.knows_phone(p)) << p;
  auto v = t.visemes({{"M", 0, 0.1}, {"AY", 0.1, 0.3}, {"+NSN+", 0.3, 0.4}});
  ASSERT_EQ(v.size(), 4u);  // the diphthong is split in halves
  EXPECT_TRUE(v[0].viseme->closure);
  EXPECT_DOUBLE_EQ(v[1].end, 0.2);
  EXPECT_EQ(v[3].viseme->name, "rest");  // fillers rest the mouth
  EXPECT_TRUE(t.is_vowel("AA"));
  EXPECT_FALSE(t.is_vowel("P"));
}

TEST(PhoneticCoarticulation, ClosureWinsAndHoldsAndSilenceRests) {
  const auto& t = VisemeTable::standard();
  auto segs = t.visemes({{"SIL", 0, 0.2}, {"AA", 0.2, 0.4}, {"B", 0.4, 0.48}, {"AA", 0.48, 0.7}, {"SIL", 0.7, 1.0}});
  auto m = coarticulate(segs, 100, 0.01);
  const int jaw = 8;
  EXPECT_GT(m.aus[30][jaw], 0.6f);   // 0.305 s: inside the vowel
  for (int i = 41; i <= 46; ++i) {   // 0.415 .. 0.465 s: inside the closure
    EXPECT_LT(m.aus[i][jaw], 0.06f) << i;
    EXPECT_GT(m.closure[i], 0.85f) << i;
  }
  EXPECT_LT(m.aus[0][jaw], 0.02f);   // silence: relaxed (only the far tail of the vowel's anticipation)
  EXPECT_LT(m.aus[95][jaw], 0.01f);
  // Look-ahead: the mouth starts opening before the vowel, unless the look-ahead is cut.
  EXPECT_GT(m.aus[18][jaw], 0.05f);  // 0.185 s, 15 ms before the vowel
  auto cut = coarticulate(segs, 100, 0.01, 0.0);
  EXPECT_LT(cut.aus[18][jaw], 0.01f);
}

TEST(PhoneticBlinks, NaturalRateAndDurationsAndSeeded) {
  const auto& p = phonetic_params().blinks;
  auto a = generate_blinks(600, 42, p), b = generate_blinks(600, 42, p), c = generate_blinks(600, 43, p);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].start, b[i].start);
  EXPECT_NE(a.front().start, c.front().start);
  const double per_minute = a.size() / 10.0;
  EXPECT_GE(per_minute, 14);
  EXPECT_LE(per_minute, 21);
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_GE(a[i].duration, 0.1);
    EXPECT_LE(a[i].duration, 0.3);
    if (i > 0) {
      EXPECT_GE(a[i].start - (a[i - 1].start + a[i - 1].duration), p.min_gap - 1e-9);
    }
    EXPECT_FLOAT_EQ(blink_peak_in(a[i], a[i].start, a[i].start + a[i].duration, p), 1.f);
  }
}

TEST(PhoneticProsody, MonotoneIsNotExcitedAndStressRaisesTheBrows) {
  const auto& params = phonetic_params();
  // Ten syllables at one pitch and level; the seventh louder and higher.
  std::vector<float> x = ps::silence(0.2);
  for (int i = 0; i < 10; ++i) {
    bool stressed = i == 6;
    ps::append(x, ps::synth_vowel(0.18, 700, 1200, stressed ? 0.6f : 0.15f, stressed ? 150 : 110));
    ps::append(x, ps::silence(0.07));
  }
  auto frames = analyse_frames(x, params.fast);
  auto pr = analyse_prosody(frames, params.prosody, params.emphasis);
  EXPECT_NE(pr.estimate.label, Emotion::happy);
  EXPECT_NE(pr.estimate.label, Emotion::angry);
  ASSERT_FALSE(pr.stresses.empty());
  const double stressed_mid = 0.2 + 6 * 0.25 + 0.09;
  EXPECT_TRUE(std::any_of(pr.stresses.begin(), pr.stresses.end(),
                          [&](const Stress& s) { return std::abs(s.time - stressed_mid) < 0.1; }));
  audio2au::AuGeneratorOptions o;
  o.lipsync = "fast";
  o.emotion = Emotion::neutral;
  auto seq = PhoneticGenerator(o).generate(x, "stress");
  float brow = 0;
  for (size_t k = 0; k < seq.frames.size(); ++k)
    if (std::abs(k / seq.fps - stressed_mid) < 0.15) brow = std::max(brow, seq.frames[k][6]);
  EXPECT_GT(brow, 0.05f);
}

TEST(PhoneticProsody, LivelyPitchAndLoudnessReadAsHappy) {
  const auto& params = phonetic_params();
  std::vector<float> x = ps::silence(0.2);
  const double f0[] = {110, 140, 175};  // pitch over 8 semitones, level over 20 dB
  for (int i = 0; i < 12; ++i) {
    ps::append(x, ps::synth_vowel(0.2, 700, 1200, i % 2 ? 0.6f : 0.06f, f0[i % 3]));
    ps::append(x, ps::silence(0.05));
  }
  auto pr = analyse_prosody(analyse_frames(x, params.fast), params.prosody, params.emphasis);
  EXPECT_EQ(pr.estimate.label, Emotion::happy) << "arousal " << pr.arousal;
  EXPECT_GT(pr.estimate.intensity, 0.f);
}

TEST(PhoneticFastFrontEnd, MouthFollowsWithin100ms) {
  // The mouth AUs up to time T must not change when the audio after T + 100 ms changes.
  std::vector<float> x = ps::silence(0.1);
  for (int i = 0; i < 6; ++i) {
    ps::append(x, ps::synth_vowel(0.2, i % 2 ? 400 : 750, i % 2 ? 2000 : 1200));
    ps::append(x, ps::silence(0.06));
  }
  std::vector<float> y = x;
  const double T = 0.8;
  for (size_t i = size_t((T + 0.1) * 16000); i < y.size(); ++i) y[i] = 0.3f * float(std::sin(i * 0.05));
  audio2au::AuGeneratorOptions o;
  o.lipsync = "fast";
  o.emotion = Emotion::neutral;  // the prosody estimate looks at the whole file
  o.emotion_intensity = 0;
  PhoneticGenerator gen(o);
  auto a = gen.generate(x, "x"), b = gen.generate(y, "y");
  for (size_t k = 0; k < a.frames.size() && k / a.fps <= T; ++k)
    for (int au : {8, 13, 15, 16, 18, 19, 20, 21, 28, 29}) EXPECT_EQ(a.frames[k][au], b.frames[k][au]) << k << " " << au;
}
