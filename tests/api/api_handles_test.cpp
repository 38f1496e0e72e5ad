// The public API without the CLI (include/auhead/ only): handles that load once and run many times,
// per-call requests, progress and log hooks, cancellation that leaves nothing behind, bad input as
// auhead::Error, and one handle shared by two threads.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <stop_token>
#include <thread>
#include <vector>

#include "auhead/au_generator.h"
#include "auhead/error.h"
#include "auhead/renderer.h"
#include "build_config.h"  // AUHEAD_SOURCE_DIR: where the bundled examples are
#include "test_util.h"

namespace fs = std::filesystem;

namespace {

std::string example(const std::string& file) { return std::string(AUHEAD_SOURCE_DIR) + "/examples/" + file; }

// The first `n` frames of the bundled speech's AUs (fast front end), made once for all tests.
const auhead::AuSequence& speech_aus(int n = 12) {
  static const auhead::AuSequence seq = [n] {
    auhead::AuGeneratorConfig c;
    c.lipsync = "fast";
    auhead::AuRequest r;
    r.emotion = auhead::Emotion::happy;
    auhead::AuSequence s = auhead::AuGenerator(c).generate(fs::path(example("speech.wav")), r);
    s.frames.resize(std::size_t(n));
    return s;
  }();
  return seq;
}

std::vector<uint8_t> frame_bytes(const auhead::ImageView& v) {
  std::vector<uint8_t> out;
  for (int y = 0; y < v.height; ++y) out.insert(out.end(), v.rgb + y * v.stride, v.rgb + y * v.stride + v.width * 3);
  return out;
}

std::vector<std::vector<uint8_t>> render_all(const auhead::Renderer& r, const auhead::Portrait& p,
                                             const auhead::RenderRequest& request = {}) {
  std::vector<std::vector<uint8_t>> frames;
  r.render(speech_aus(), p, [&](const auhead::ImageView& v) { frames.push_back(frame_bytes(v)); }, request);
  return frames;
}

auhead::RendererConfig small() {
  auhead::RendererConfig c;
  c.size = 128;
  return c;
}

}  // namespace

TEST(ApiHandles, OneGeneratorServesManyRequests) {
  auhead::AuGeneratorConfig c;
  c.lipsync = "fast";
  const auhead::AuGenerator g(c);
  const std::vector<float> samples = auhead::load_audio(example("speech.wav"));
  ASSERT_GT(samples.size(), 16000u);
  auhead::AuRequest sad, happy;
  sad.emotion = auhead::Emotion::sad;
  happy.emotion = auhead::Emotion::happy;
  happy.fps = 30;
  const auhead::AuSequence a = g.generate(samples, sad), b = g.generate(samples, happy), a2 = g.generate(samples, sad);
  ASSERT_TRUE(a.emotion && b.emotion);
  EXPECT_EQ(a.emotion->label, auhead::Emotion::sad);
  EXPECT_EQ(b.emotion->label, auhead::Emotion::happy);
  EXPECT_EQ(b.fps, 30);
  EXPECT_NEAR(double(b.frames.size()) / 30, double(a.frames.size()) / 25, 0.05);
  EXPECT_EQ(a, a2);  // a request's answer does not depend on what the handle did before
  // The per-call edit: jaw held open over the whole clip.
  auhead::AuRequest edited = sad;
  edited.edit.overrides.push_back(auhead::parse_au_override("jaw_drop=0.8"));
  for (const auto& f : g.generate(samples, edited).frames) EXPECT_FLOAT_EQ(f[8], 0.8f);
}

TEST(ApiHandles, OneRendererServesManyRequests) {
  const auhead::Renderer r(small());
  const auhead::Portrait p = auhead::Portrait::load(example("portrait.jpg"));
  const auto first = render_all(r, p), again = render_all(r, p);
  ASSERT_EQ(first.size(), speech_aus().frames.size());
  EXPECT_EQ(first[0].size(), 128u * 128 * 3);
  EXPECT_EQ(first, again);
  auhead::RenderRequest kept;
  kept.keep_portrait_expression = true;
  kept.still = true;
  EXPECT_NE(render_all(r, p, kept), first);
  EXPECT_EQ(render_all(r, p), first);  // back to the default request: the same frames as before
  // A portrait given as pixels renders like the same picture loaded from its file.
  const auhead::ImageView v = p.pixels();
  EXPECT_EQ(render_all(r, auhead::Portrait::from_rgb(v, "copy")), first);
}

TEST(ApiHandles, ProgressAndLogGoToTheHooks) {
  const auhead::Renderer r(small());
  const auhead::Portrait p = auhead::Portrait::load(example("portrait.jpg"));
  std::vector<int64_t> done;
  int64_t total = 0;
  auhead::RunHooks hooks;
  hooks.progress = [&](const std::string& task, int64_t d, int64_t t) {
    EXPECT_EQ(task, "rendering");
    done.push_back(d);
    total = t;
  };
  int frames = 0;
  r.render(speech_aus(), p, [&](const auhead::ImageView&) { ++frames; }, {}, hooks);
  EXPECT_EQ(total, frames);
  ASSERT_FALSE(done.empty());
  EXPECT_EQ(done.front(), 0);
  EXPECT_EQ(done.back(), total);
  EXPECT_TRUE(std::is_sorted(done.begin(), done.end()));
}

TEST(ApiHandles, CancellationStopsARenderAndLeavesNothing) {
  const auhead::Renderer r(small());
  const auhead::Portrait p = auhead::Portrait::load(example("portrait.jpg"));
  const fs::path dir = fs::path(testing::TempDir()) / "api_cancel";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::stop_source stop;
  auhead::RunHooks hooks;
  hooks.stop = stop.get_token();
  hooks.progress = [&](const std::string&, int64_t d, int64_t) {
    if (d == 3) stop.request_stop();
  };
  auhead::RenderFiles files;
  files.output = dir / "out.mp4";
  files.frames_dir = dir / "frames";
  try {
    r.render_file(speech_aus(), p, files, {}, hooks);
    FAIL() << "not cancelled";
  } catch (const auhead::Cancelled& e) {
    EXPECT_EQ(e.code(), auhead::ExitCode::cancelled);
  }
  EXPECT_TRUE(fs::is_empty(dir)) << "left behind: " << fs::directory_iterator(dir)->path();
  // A token already stopped ends the call before it starts; the handle stays usable afterwards.
  EXPECT_THROW(r.render(speech_aus(), p, [](const auhead::ImageView&) {}, {}, hooks), auhead::Cancelled);
  r.render_file(speech_aus(), p, files);
  EXPECT_TRUE(fs::exists(files.output));
  EXPECT_EQ(std::distance(fs::directory_iterator(files.frames_dir), fs::directory_iterator()),
            std::ptrdiff_t(speech_aus().frames.size()));
  fs::remove_all(dir);
}

TEST(ApiHandles, BadInputIsAnErrorNamingIt) {
  auto code = [](auto&& f) { return auhead::test::error_code_of(f); };
  using auhead::ExitCode;
  auhead::RendererConfig odd = small();
  odd.size = 127;
  EXPECT_EQ(code([&] { auhead::Renderer r(odd); }), ExitCode::usage);
  auhead::RendererConfig unknown = small();
  unknown.implementation = "cartoon";
  EXPECT_EQ(code([&] { auhead::Renderer r(unknown); }), ExitCode::usage);
  auhead::AuGeneratorConfig sampling;
  sampling.temperature = 0.5f;  // applies to the alm generator only
  EXPECT_EQ(code([&] { auhead::AuGenerator g(sampling); }), ExitCode::usage);
  auhead::AuGeneratorConfig fast;
  fast.lipsync = "fast";
  const auhead::AuGenerator g(fast);
  auhead::AuRequest fps0;
  fps0.fps = 0;
  EXPECT_EQ(code([&] { g.generate(std::vector<float>(16000, 0.f), fps0); }), ExitCode::usage);
  EXPECT_EQ(code([&] { g.generate(fs::path("/nonexistent/speech.wav")); }), ExitCode::bad_input);
  EXPECT_EQ(code([&] { auhead::Portrait::from_rgb({}, "empty"); }), ExitCode::bad_input);
  EXPECT_EQ(code([&] { auhead::Portrait::load("/nonexistent/face.png"); }), ExitCode::bad_input);
  // A picture without a face: the error names it.
  std::vector<uint8_t> grey(96 * 96 * 3, 128);
  const auhead::Portrait blank = auhead::Portrait::from_rgb({grey.data(), 96, 96, 96 * 3}, "blank.png");
  try {
    auhead::Renderer(small()).prepare(blank);
    FAIL() << "a blank picture has no face";
  } catch (const auhead::Error& e) {
    EXPECT_EQ(e.code(), ExitCode::bad_input);
    EXPECT_NE(std::string(e.what()).find("blank.png"), std::string::npos) << e.what();
  }
}

TEST(ApiHandles, OneRendererSharedByTwoThreads) {
  const auhead::Renderer r(small());
  const auhead::Portrait a = auhead::Portrait::load(example("portrait.jpg"));
  const auhead::Portrait b = auhead::Portrait::load(example("astronaut.png"));
  const auto alone_a = render_all(r, a), alone_b = render_all(r, b);
  std::vector<std::vector<uint8_t>> got_a, got_b;
  std::thread t1([&] { got_a = render_all(r, a); });
  std::thread t2([&] { got_b = render_all(r, b); });
  t1.join();
  t2.join();
  EXPECT_EQ(got_a, alone_a);
  EXPECT_EQ(got_b, alone_b);
}
