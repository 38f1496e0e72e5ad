#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "audio2au/au_generator.h"
#include "auhead/au_plot.h"
#include "audio2au/phonetic/phonetic_generator.h"
#include "audio2au/phonetic/pocketsphinx_front_end.h"
#include "audio2au/phonetic/phonetic_support.h"
#include "auhead/error.h"

using namespace auhead;
namespace ps = phonetic_support;

namespace {
constexpr int kJaw = 8, kLipsPart = 29, kEye = 0, kSmile = 11;

AuSequence run(const std::vector<float>& x, const std::string& lipsync = "fast", uint64_t seed = 1, double fps = 25,
               std::optional<Emotion> emotion = std::nullopt) {
  audio2au::AuGeneratorOptions o;
  o.lipsync = lipsync;
  o.seed = seed;
  o.fps = fps;
  o.emotion = emotion;
  return audio2au::make_au_generator("phonetic", o)->generate(x, "test.wav");
}

// Largest value of an AU over [t0, t1] seconds.
float max_in(const AuSequence& s, int au, double t0, double t1) {
  float m = 0;
  for (size_t k = 0; k < s.frames.size(); ++k)
    if (k / s.fps >= t0 && k / s.fps <= t1) m = std::max(m, s.frames[k][au]);
  return m;
}
float min_in(const AuSequence& s, int au, double t0, double t1) {
  float m = 1;
  for (size_t k = 0; k < s.frames.size(); ++k)
    if (k / s.fps >= t0 && k / s.fps <= t1) m = std::min(m, s.frames[k][au]);
  return m;
}

// silence 0.3 s, /a/ 0.6 s, silence 0.3 s
std::vector<float> vowel_signal() {
  auto x = ps::silence(0.3);
  ps::append(x, ps::synth_vowel(0.6, 750, 1200));
  ps::append(x, ps::silence(0.3));
  return x;
}

bool is_mouth(int a) { return a >= 8 && a != 23 && a != 24 && a != 25; }
}  // namespace

TEST(PhoneticGenerator, IsRegistered) {
  audio2au::AuGeneratorOptions o;
  o.lipsync = "fast";
  EXPECT_NE(audio2au::make_au_generator("phonetic", o), nullptr);
}

TEST(PhoneticGenerator, SilenceGivesRelaxedMouthAndBlinks) {
  for (std::string mode : {"fast", "accurate"}) {
    auto s = run(ps::silence(8.0), mode);
    ASSERT_EQ(s.frames.size(), 200u);
    for (const auto& f : s.frames)
      for (int a = 0; a < kNumAus; ++a)
        if (is_mouth(a)) {
          ASSERT_EQ(f[a], 0.f) << mode << " AU " << a;
        }
    EXPECT_EQ(max_in(s, kEye, 0, 8), 1.f) << mode;  // at least one full blink
    ASSERT_TRUE(s.emotion);
    EXPECT_EQ(s.emotion->label, Emotion::neutral);
  }
}

TEST(PhoneticGenerator, SteadyNoiseRelaxesTheMouth) {
  std::vector<float> x(16000 * 5);
  uint32_t state = 1;
  for (auto& v : x) {  // white noise at about -40 dBFS
    state = state * 1664525u + 1013904223u;
    v = 0.017f * (float(state >> 8) / float(1 << 24) * 2 - 1);
  }
  for (std::string mode : {"fast", "accurate"}) {
    auto s = run(x, mode);
    EXPECT_LT(max_in(s, kJaw, 1.6, 5.0), 0.05f) << mode;
    EXPECT_LT(max_in(s, kLipsPart, 1.6, 5.0), 0.05f) << mode;
  }
}

TEST(PhoneticGenerator, BlinksAtNaturalRate) {
  auto s = run(ps::silence(120.0));
  int blinks = 0;
  for (size_t k = 1; k < s.frames.size(); ++k)
    if (s.frames[k][kEye] >= 0.5f && s.frames[k - 1][kEye] < 0.5f) ++blinks;
  EXPECT_GE(blinks, 24);  // 12-24 a minute over two minutes, with some slack
  EXPECT_LE(blinks, 48);
}

TEST(PhoneticGenerator, AudioShorterThanOneFrameIsAnError) {
  try {
    run(std::vector<float>(100, 0.f));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::bad_input);
    EXPECT_NE(std::string(e.what()).find("test.wav"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("shorter than one AU frame"), std::string::npos);
  }
}

TEST(PhoneticGenerator, BadOptionsAreUsageErrors) {
  audio2au::AuGeneratorOptions o;
  o.lipsync = "quick";
  try {
    audio2au::make_au_generator("phonetic", o);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::usage);
    EXPECT_NE(std::string(e.what()).find("accurate, fast"), std::string::npos);
  }
  try {
    parse_emotion_or_throw("joyful");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("happy"), std::string::npos);
  }
}

TEST(PhoneticGenerator, SameSeedSameOutputAndSeedMovesBlinks) {
  auto x = vowel_signal();
  ps::append(x, ps::silence(6));
  auto a = run(x, "fast", 7), b = run(x, "fast", 7), c = run(x, "fast", 8);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

TEST(PhoneticGenerator, ValuesInRangeAndFpsHonoured) {
  auto x = vowel_signal();  // 1.2 s
  for (double fps : {10.0, 25.0, 30.0, 60.0}) {
    auto s = run(x, "fast", 1, fps);
    EXPECT_EQ(s.frames.size(), size_t(std::lround(1.2 * fps))) << fps;
    EXPECT_EQ(s.fps, fps);
    EXPECT_NO_THROW(s.validate());
  }
}

TEST(PhoneticGenerator, VowelOpensTheJaw) {
  auto s = run(vowel_signal());
  EXPECT_GT(max_in(s, kJaw, 0.4, 0.8), 0.35f);
  EXPECT_LT(max_in(s, kJaw, 0.0, 0.2), 0.05f);
  EXPECT_LT(max_in(s, kJaw, 1.05, 1.2), 0.05f);
}

TEST(PhoneticGenerator, ClosureBetweenVowelsClosesTheLips) {
  auto x = ps::silence(0.2);
  ps::append(x, ps::synth_vowel(0.4, 750, 1200));
  ps::append(x, ps::silence(0.08));
  ps::append(x, ps::synth_vowel(0.4, 750, 1200));
  ps::append(x, ps::silence(0.2));
  auto s = run(x);
  EXPECT_GT(max_in(s, kJaw, 0.3, 0.5), 0.35f);
  // The gap is 0.6..0.68 s: a frame inside it has the lips together.
  EXPECT_LE(min_in(s, kJaw, 0.6, 0.68), 0.1f);
  EXPECT_LE(min_in(s, kLipsPart, 0.6, 0.68), 0.2f);
}

TEST(PhoneticGenerator, EmotionAddsItsPrototypeWithoutHidingSpeech) {
  auto x = vowel_signal();
  auto s = run(x, "fast", 1, 25, Emotion::happy);
  ASSERT_TRUE(s.emotion);
  EXPECT_EQ(s.emotion->label, Emotion::happy);
  EXPECT_GT(min_in(s, kSmile, 0, 1.2), 0.3f);              // smiling throughout
  EXPECT_GT(max_in(s, kJaw, 0.4, 0.8), 0.35f);             // still speaking
  auto sur = run(x, "fast", 1, 25, Emotion::surprised);    // its prototype opens the jaw at rest...
  EXPECT_GT(max_in(sur, kJaw, 0.0, 0.2), 0.2f);
  auto plain = run(x, "fast");
  EXPECT_GE(max_in(sur, kJaw, 0.4, 0.8), max_in(plain, kJaw, 0.4, 0.8));
}

TEST(PhoneticGenerator, PlotWritesAPng) {
  auto dir = std::filesystem::temp_directory_path() / "auhead_phonetic_plot_test";
  std::filesystem::create_directories(dir);
  audio2au::AuGeneratorOptions o;
  o.lipsync = "fast";
  audio2au::phonetic::PhoneticGenerator gen(o);
  auto r = gen.run(vowel_signal(), "test.wav");
  auto marks = audio2au::phonetic::phone_marks(r.phones);
  write_au_plot(dir / "au.png", r.sequence, marks);
  EXPECT_GT(std::filesystem::file_size(dir / "au.png"), 1000u);
  EXPECT_THROW(write_au_plot(dir / "bad.png", r.sequence, marks, {31}), Error);
  std::filesystem::remove_all(dir);
}

#if AUHEAD_HAVE_ESPEAK
TEST(PhoneticGenerator, EspeakSentenceMeetsQualityThresholds) {
  auto u = ps::espeak_utterance("Bob bought a big map of the bay, and mom put the maple pie by the pump.");
  if (u.samples.empty()) GTEST_SKIP() << "espeak-ng cannot start";
  ps::attach_stop_closures(u);
  auto fast = run(u.samples, "fast");
  EXPECT_GE(ps::jaw_openness_correlation(fast, u.phonemes), 0.5);
  EXPECT_GE(ps::closure_hit_rate(fast, u.phonemes), 0.6);
  if (!audio2au::phonetic::pocketsphinx_available()) GTEST_SKIP() << "no pocketsphinx model";
  auto acc = run(u.samples, "accurate");
  EXPECT_GE(ps::jaw_openness_correlation(acc, u.phonemes), 0.6);
  EXPECT_GE(ps::closure_hit_rate(acc, u.phonemes), 0.8);
}
#endif
