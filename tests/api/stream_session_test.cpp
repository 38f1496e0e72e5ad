// The streaming session (include/auhead/stream.h) through the public API only: frames that do not
// depend on how the audio is cut, agree with the offline pipeline, come out as soon as their
// lookahead has arrived, follow live emotion and AU changes, and bad input as auhead::Error.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <stop_token>
#include <vector>

#include "auhead/au_generator.h"
#include "auhead/error.h"
#include "auhead/stream.h"
#include "build_config.h"  // AUHEAD_SOURCE_DIR: where the bundled examples are
#include "test_util.h"

namespace {

const std::vector<float>& speech(double seconds = 3.0) {
  static const std::vector<float> s = [seconds] {
    std::vector<float> all = auhead::load_audio(std::string(AUHEAD_SOURCE_DIR) + "/examples/speech.wav");
    all.resize(std::min(all.size(), std::size_t(seconds * 16000)));
    return all;
  }();
  return s;
}

const auhead::Portrait& portrait() {
  static const auhead::Portrait p = auhead::Portrait::load(std::string(AUHEAD_SOURCE_DIR) + "/examples/portrait.jpg");
  return p;
}

auhead::StreamConfig small() {
  auhead::StreamConfig c;
  c.size = 128;
  c.emotion = auhead::Emotion::happy;
  return c;
}

struct Got {
  std::vector<auhead::StreamFrame> frames;  // image views cleared
  std::vector<uint64_t> hashes;             // of each image
};

uint64_t hash(const auhead::ImageView& v) {
  uint64_t h = 1469598103934665603ull;
  for (int y = 0; y < v.height; ++y)
    for (int x = 0; x < v.width * 3; ++x) h = (h ^ v.rgb[y * v.stride + x]) * 1099511628211ull;
  return h;
}

auhead::StreamFrameCallback into(Got& got) {
  return [&got](const auhead::StreamFrame& f) {
    auhead::StreamFrame copy = f;
    copy.image = {};
    got.frames.push_back(copy);
    got.hashes.push_back(hash(f.image));
  };
}

Got stream(std::size_t chunk, const auhead::StreamConfig& config = small()) {
  auhead::StreamSession s(portrait(), config);
  Got got;
  const auto& a = speech();
  for (std::size_t i = 0; i < a.size(); i += chunk)
    s.push(std::span<const float>(a).subspan(i, std::min(chunk, a.size() - i)), into(got));
  s.finish(into(got));
  return got;
}

}  // namespace

TEST(StreamSession, FramesDoNotDependOnHowTheAudioIsCut) {
  const Got a = stream(640), b = stream(7919), c = stream(1);
  ASSERT_EQ(a.frames.size(), 75u);  // 3 s at 25 fps
  ASSERT_EQ(b.frames.size(), a.frames.size());
  ASSERT_EQ(c.frames.size(), a.frames.size());
  for (std::size_t k = 0; k < a.frames.size(); ++k) {
    EXPECT_EQ(a.frames[k].index, int64_t(k));
    EXPECT_DOUBLE_EQ(a.frames[k].time, double(k) / 25);
    EXPECT_EQ(a.frames[k].aus, b.frames[k].aus) << "frame " << k;
    EXPECT_EQ(a.frames[k].aus, c.frames[k].aus) << "frame " << k;
  }
  EXPECT_EQ(a.hashes, b.hashes);
  EXPECT_EQ(a.hashes, c.hashes);
}

// The stream's lip sync reads a sliding window, the offline one the whole clip: the mouth agrees.
TEST(StreamSession, AgreesWithTheOfflinePipeline) {
  const Got s = stream(640);
  auhead::AuGeneratorConfig fast;
  fast.lipsync = "fast";
  auhead::AuRequest r;
  r.emotion = auhead::Emotion::happy;
  const auhead::AuSequence offline = auhead::AuGenerator(fast).generate(speech(), r);
  ASSERT_EQ(offline.frames.size(), s.frames.size());
  for (int au : {8, 29}) {  // jaw drop, lips part
    double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0, mad = 0;
    const double n = double(s.frames.size());
    for (std::size_t k = 0; k < s.frames.size(); ++k) {
      const double x = s.frames[k].aus[au], y = offline.frames[k][au];
      sx += x, sy += y, sxx += x * x, syy += y * y, sxy += x * y, mad += std::abs(x - y);
    }
    const double r_xy = (sxy - sx * sy / n) / std::sqrt((sxx - sx * sx / n) * (syy - sy * sy / n));
    EXPECT_GT(r_xy, 0.9) << "AU " << au;
    EXPECT_LT(mad / n, 0.05) << "AU " << au;
  }
}

TEST(StreamSession, AFrameIsOutOnceItsLookaheadHasArrived) {
  auhead::StreamConfig c = small();
  auhead::StreamSession s(portrait(), c);
  Got got;
  const auto& a = speech();
  for (std::size_t i = 0; i + 640 <= a.size(); i += 640) {
    s.push(std::span<const float>(a).subspan(i, 640), into(got));
    // Frame k needs audio to k/25 + 0.1 s and frame k + 1 (smoothing): nothing waits longer.
    const double t = double(i + 640) / 16000;
    const int64_t due = int64_t(std::floor((t - c.lookahead_seconds) * 25 + 1e-9));  // frames 0..due-1 ...
    EXPECT_GE(s.frames_out(), std::max<int64_t>(0, due - 1)) << "at " << t << " s";
    EXPECT_LE(s.frames_out(), std::max<int64_t>(0, due + 1)) << "at " << t << " s";
  }
  EXPECT_DOUBLE_EQ(s.seconds_in(), double(a.size() / 640 * 640) / 16000);
}

TEST(StreamSession, EmotionAndOverridesChangeLive) {
  auhead::StreamConfig c = small();
  c.emotion.reset();  // neutral
  auhead::StreamSession s(portrait(), c);
  Got got;
  const auto& a = speech();
  const std::size_t half = a.size() / 2;
  s.push(std::span<const float>(a).subspan(0, half), into(got));
  const std::size_t before = got.frames.size();
  s.set_emotion(auhead::Emotion::happy, 1.f);
  s.set_overrides({auhead::parse_au_override("brow_lower_left=0.9")});
  s.push(std::span<const float>(a).subspan(half), into(got));
  s.finish(into(got));
  ASSERT_GT(got.frames.size(), before + 12);
  const float smile_before = got.frames[before - 1].aus[11];
  EXPECT_LT(smile_before, 0.05f);
  // Within a frame or two the change shows, and after the ramp (0.2 s) the smile is full.
  EXPECT_GT(got.frames[before + 1].aus[11], smile_before);
  EXPECT_GT(got.frames[before + 10].aus[11], 0.5f);
  EXPECT_NEAR(got.frames[before + 10].aus[4], 0.9f, 1e-4);
}

// At a low frame rate a frame reads at least one frame's worth of audio after it.
TEST(StreamSession, LowFrameRates) {
  auhead::StreamConfig c = small();
  c.fps = 2;
  auhead::StreamSession s(portrait(), c);
  Got got;
  const auto& a = speech();
  for (std::size_t i = 0; i < a.size(); i += 640) s.push(std::span<const float>(a).subspan(i, std::min<std::size_t>(640, a.size() - i)), into(got));
  s.finish(into(got));
  EXPECT_EQ(got.frames.size(), 6u);  // 3 s at 2 fps
}

TEST(StreamSession, BadInputAndMisuseAreErrors) {
  auto code = [](auto&& f) { return auhead::test::error_code_of(f); };
  using auhead::ExitCode;
  const auto none = [](const auhead::StreamFrame&) {};
  auhead::StreamConfig bad = small();
  bad.fps = 0;
  EXPECT_EQ(code([&] { auhead::StreamSession s(portrait(), bad); }), ExitCode::usage);
  bad = small();
  bad.size = 100001;
  EXPECT_EQ(code([&] { auhead::StreamSession s(portrait(), bad); }), ExitCode::usage);
  {
    auhead::StreamSession s(portrait(), small());
    std::vector<float> nan(100, std::nanf(""));
    EXPECT_EQ(code([&] { s.push(nan, none); }), ExitCode::bad_input);
    EXPECT_EQ(code([&] { s.push(std::vector<float>(10, 0.f), none); }), ExitCode::usage);  // spent
  }
  {
    auhead::StreamSession s(portrait(), small());
    s.finish(none);  // no audio: no frames, no error
    EXPECT_EQ(s.frames_out(), 0);
    EXPECT_EQ(code([&] { s.push(std::vector<float>(10, 0.f), none); }), ExitCode::usage);
    EXPECT_EQ(code([&] { s.set_emotion(auhead::Emotion::sad, 2.f); }), ExitCode::usage);
  }
  {
    std::stop_source stop;
    auhead::RunHooks hooks;
    hooks.stop = stop.get_token();
    auhead::StreamSession s(portrait(), small(), hooks);
    int frames = 0;
    EXPECT_EQ(code([&] {
                s.push(speech(), [&](const auhead::StreamFrame&) {
                  if (++frames == 5) stop.request_stop();
                });
              }),
              ExitCode::cancelled);
    EXPECT_EQ(frames, 5);
  }
}

// Audio at 48 kHz (the speech upsampled by linear interpolation) is resampled to 16 kHz inside the
// session: as many frames, AUs close to the 16 kHz session's, whatever the cut.
TEST(StreamSession, OtherSampleRatesAreResampled) {
  const auto& a = speech();
  std::vector<float> up(a.size() * 3);
  for (std::size_t i = 0; i < up.size(); ++i) {
    const std::size_t j = i / 3;
    const float t = float(i % 3) / 3, next = j + 1 < a.size() ? a[j + 1] : a[j];
    up[i] = a[j] * (1 - t) + next * t;
  }
  auhead::StreamConfig config = small();
  const Got ref = stream(640, config);
  config.sample_rate = 48000;
  for (std::size_t chunk : {std::size_t(1920), std::size_t(777)}) {
    auhead::StreamSession s(portrait(), config);
    Got got;
    for (std::size_t i = 0; i < up.size(); i += chunk)
      s.push(std::span<const float>(up).subspan(i, std::min(chunk, up.size() - i)), into(got));
    EXPECT_NEAR(s.seconds_in(), 3.0, 1e-9);
    s.finish(into(got));
    ASSERT_EQ(got.frames.size(), ref.frames.size());
    // The fast front end makes a few discrete calls (a lip closure or not), which a resampled signal may
    // tip at an odd frame: most values agree closely, the mean very closely.
    double sum = 0;
    int close = 0, n = 0;
    for (std::size_t k = 0; k < got.frames.size(); ++k)
      for (int u = 0; u < auhead::kNumAus; ++u, ++n) {
        const float d = std::abs(got.frames[k].aus[u] - ref.frames[k].aus[u]);
        sum += d;
        close += d < 0.05f;
      }
    EXPECT_LT(sum / n, 0.01) << "chunk " << chunk;
    EXPECT_GT(double(close) / n, 0.98) << "chunk " << chunk;
  }
  config.sample_rate = 4000;
  EXPECT_THROW(auhead::StreamSession(portrait(), config), auhead::Error);
}
