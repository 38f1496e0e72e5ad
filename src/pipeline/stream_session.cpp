// The public streaming session (include/auhead/stream.h): the phonetic fast front end over a sliding
// window of audio per frame, the warp renderer frame by frame.
#include "auhead/stream.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <optional>

#include <opencv2/core.hpp>

#include "audio2au/phonetic/phonetic_generator.h"
#include "auhead/error.h"
#include "core/library_messages.h"
#include "core/run_context.h"
#include "media/pcm_resampler.h"
#include "pipeline/portrait_data.h"
#include "render/warp/head_motion.h"
#include "render/warp/warp_renderer.h"

namespace auhead {

namespace {

constexpr double kRate = 16000;

void check_stream_config(const StreamConfig& c) {
  check_frame_size(c.size);
  auto in = [](double v, double lo, double hi) { return v >= lo && v <= hi; };  // false for NaN
  if (!in(c.fps, 1, 120)) throw usage_error("stream: fps must be in [1, 120], got " + std::to_string(c.fps));
  if (!in(c.emotion_intensity, 0, 1))
    throw usage_error("stream: emotion intensity must be in [0, 1], got " + std::to_string(c.emotion_intensity));
  if (!in(c.context_seconds, 0.5, 10))
    throw usage_error("stream: context must be 0.5 to 10 s, got " + std::to_string(c.context_seconds));
  if (!in(c.lookahead_seconds, 0.06, 1))
    throw usage_error("stream: lookahead must be 0.06 to 1 s, got " + std::to_string(c.lookahead_seconds));
  if (!in(c.emotion_ramp_seconds, 0, 5))
    throw usage_error("stream: emotion ramp must be 0 to 5 s, got " + std::to_string(c.emotion_ramp_seconds));
  if (!in(c.sample_rate, 8000, 192000))
    throw usage_error("stream: sample rate must be 8000 to 192000 Hz, got " + std::to_string(c.sample_rate));
}

EmotionState emotion_state(std::optional<Emotion> e, float intensity) {
  return e ? EmotionState{*e, intensity} : EmotionState{Emotion::neutral, 0.f};
}

audio2au::AuGeneratorOptions generator_options(const StreamConfig& c) {
  audio2au::AuGeneratorOptions o;
  o.lipsync = "fast";
  o.fps = c.fps;
  o.seed = c.seed;
  return o;
}

render::RendererOptions renderer_options(const StreamConfig& c) {
  render::RendererOptions o;
  o.size = c.size;
  o.seed = c.seed;
  o.still = c.still;
  o.keep_portrait_expression = c.keep_portrait_expression;
  return o;
}

constexpr double kHeadWindowSeconds = 3.0;  // AU frames before a frame that its head motion reads
constexpr double kPoseTau = 0.05;           // seconds: the one-pole filter on the streamed head pose

}  // namespace

struct StreamSession::Impl {
  StreamConfig config;
  RunHooks hooks;
  Portrait portrait;
  audio2au::phonetic::PhoneticGenerator generator;
  render::warp::WarpRenderer renderer;

  std::vector<float> audio;  // samples [audio_base, audio_base + audio.size())
  int64_t audio_base = 0;
  std::deque<AuFrame> aus;   // AU frames [aus_base, next_au), before smoothing
  int64_t aus_base = 0, next_au = 0, next_render = 0;
  EmotionState from{}, to{};  // the emotion blends from `from` to `to` over the ramp
  int64_t ramp_start = 0;
  std::vector<AuOverride> overrides;
  std::optional<render::warp::HeadMotionPose> pose;  // the last frame's, filtered
  bool finished = false, spent = false;
  cv::Mat frame;
  std::optional<media::PcmResampler> resampler;  // when the pushed audio is not at 16 kHz
  int64_t pushed = 0;                            // samples pushed, at config.sample_rate

  Impl(const Portrait& p, const StreamConfig& c, const RunHooks& h)
      : config(c), hooks(h), portrait(p), generator(generator_options(c)), renderer(renderer_options(c)) {
    to = from = emotion_state(c.emotion, c.emotion_intensity);
    if (c.sample_rate != int(kRate)) resampler.emplace(c.sample_rate, int(kRate));
  }

  int64_t total() const { return audio_base + int64_t(audio.size()); }
  int64_t sample_at(double seconds) const { return std::llround(seconds * kRate); }
  int64_t context_frames() const { return int64_t(std::ceil(config.context_seconds * config.fps)); }
  // Frames the offline pipeline makes for the audio received so far (0 below one frame).
  int64_t frames_for_total() const {
    const double d = double(total()) / kRate;
    return d * config.fps < 1 - 1e-9 ? 0 : std::max<int64_t>(1, int64_t(std::floor(d * config.fps + 0.5)));
  }
  // Audio after a frame that its window reads: the lookahead, and at low rates a whole frame (the
  // generator needs a window of at least one frame).
  double ahead() const { return std::max(config.lookahead_seconds, 1 / config.fps); }
  // Frame k is final once its lookahead has arrived (or the stream has ended).
  bool au_final(int64_t k) const {
    if (finished) return k < frames_for_total();
    return total() >= sample_at(double(k) / config.fps + ahead());
  }

  // The AU frame k from its own window of audio, with the emotion the stream has at k.
  AuFrame make_au(int64_t k) {
    const double fps = config.fps;
    const int64_t f0 = std::max<int64_t>(0, k - context_frames());
    const int64_t s0 = std::max(audio_base, sample_at(double(f0) / fps));
    const int64_t end = std::min(total(), sample_at(double(k) / fps + ahead()));
    std::span<const float> window(audio.data() + (s0 - audio_base), std::size_t(end - s0));
    auto run = [&](const EmotionState& e) {
      generator.set_call(e.label, e.intensity, fps, config.seed);
      AuSequence seq = generator.run(window, "stream", double(f0) / fps).sequence;
      const int64_t j = std::clamp<int64_t>(k - f0, 0, int64_t(seq.frames.size()) - 1);
      return seq.frames[std::size_t(j)];
    };
    const int64_t ramp = std::max<int64_t>(1, std::llround(config.emotion_ramp_seconds * fps));
    const double w = std::clamp(double(k - ramp_start + 1) / double(ramp), 0.0, 1.0);
    AuFrame f = run(to);
    if (w < 1 && !(from == to)) {
      const AuFrame g = run(from);
      for (int a = 0; a < kNumAus; ++a) f[a] = float(w * f[a] + (1 - w) * g[a]);
    }
    if (!overrides.empty()) {  // stream times: shifted so that this frame sits at t = 0
      AuSequence one;
      one.fps = fps;
      one.frames = {f};
      AuEdit edit;
      const double t = double(k) / fps;
      for (AuOverride o : overrides) {
        o.start -= t;
        o.end -= t;
        edit.overrides.push_back(o);
      }
      apply_edit(one, edit);
      f = one.frames[0];
    }
    return f;
  }

  const AuFrame& au(int64_t k) const { return aus[std::size_t(k - aus_base)]; }

  render::warp::HeadMotionPose head_pose(int64_t k, int64_t last) {
    const double fps = config.fps;
    const int64_t w0 = std::max(aus_base, k - int64_t(std::ceil(kHeadWindowSeconds * fps)));
    AuSequence win;
    win.fps = fps;
    for (int64_t i = w0; i <= last; ++i) win.frames.push_back(au(i));
    render::warp::HeadMotionOptions o;
    o.start_time = double(w0) / fps;
    render::warp::HeadMotionPose p = render::warp::head_motion(win, config.seed, o)[std::size_t(k - w0)];
    if (pose) {  // a one-pole filter: each window sees a different future, so poses could jitter
      const double a = 1 - std::exp(-1 / (kPoseTau * fps));
      p.yaw = pose->yaw + a * (p.yaw - pose->yaw);
      p.pitch = pose->pitch + a * (p.pitch - pose->pitch);
      p.roll = pose->roll + a * (p.roll - pose->roll);
      p.shift = pose->shift + a * (p.shift - pose->shift);
    }
    pose = p;
    return p;
  }

  void emit_ready(const StreamFrameCallback& callback) {
    for (;;) {
      throw_if_cancelled();
      if (au_final(next_au)) {
        aus.push_back(make_au(next_au));
        ++next_au;
        continue;
      }
      // Frame k is smoothed with k + 1, so it waits for it, except the last one.
      const int64_t k = next_render;
      const bool last = finished && k == next_au - 1;
      if (k >= next_au || (k + 1 >= next_au && !last)) break;
      const int64_t hi = last ? k : k + 1;
      const AuFrame smoothed = render::warp::smooth_au_frame(au(std::max(aus_base, k - 1)), au(k), au(hi));
      std::optional<render::warp::HeadMotionPose> p;
      if (!config.still) p = head_pose(k, hi);
      renderer.render_frame(smoothed, p ? &*p : nullptr, frame);
      StreamFrame out;
      out.index = k;
      out.time = double(k) / config.fps;
      out.aus = smoothed;
      out.image = {frame.data, frame.cols, frame.rows, frame.step};
      callback(out);
      ++next_render;
    }
    trim();
  }

  // Keeps only what later frames read: their context of audio, their window of AU frames.
  void trim() {
    const int64_t keep_from = sample_at(double(std::max<int64_t>(0, next_au - context_frames())) / config.fps);
    if (keep_from - audio_base > int64_t(kRate)) {  // in steps of a second or more
      audio.erase(audio.begin(), audio.begin() + (keep_from - audio_base));
      audio_base = keep_from;
    }
    const int64_t keep_aus = next_render - int64_t(std::ceil(kHeadWindowSeconds * config.fps)) - 2;
    while (aus_base < keep_aus && !aus.empty()) {
      aus.pop_front();
      ++aus_base;
    }
  }

  template <class F>
  void guarded(F&& f) {
    if (spent) throw usage_error("stream: the session ended with an error");
    RunScope scope(hooks);
    try {
      f();
    } catch (...) {
      spent = true;
      throw;
    }
  }
};

StreamSession::StreamSession(const Portrait& portrait, const StreamConfig& config, const RunHooks& hooks) {
  route_library_messages();
  RunScope scope(hooks);
  check_stream_config(config);
  impl_ = std::make_unique<Impl>(portrait, config, hooks);
  impl_->renderer.prepare(portrait.data().rgb, portrait.name());
}

StreamSession::~StreamSession() = default;
StreamSession::StreamSession(StreamSession&&) noexcept = default;
StreamSession& StreamSession::operator=(StreamSession&&) noexcept = default;

void StreamSession::push(std::span<const float> samples, const StreamFrameCallback& frame) {
  Impl& s = *impl_;
  if (s.finished) throw usage_error("stream: audio pushed after finish()");
  s.guarded([&] {
    for (std::size_t i = 0; i < samples.size(); ++i)
      if (!std::isfinite(samples[i]))
        throw input_error("stream", "sample " + std::to_string(s.pushed + int64_t(i)) + " is not a finite number");
    s.pushed += int64_t(samples.size());
    if (s.resampler) {
      const std::vector<float> at16k = s.resampler->push(samples);
      s.audio.insert(s.audio.end(), at16k.begin(), at16k.end());
    } else {
      s.audio.insert(s.audio.end(), samples.begin(), samples.end());
    }
    s.emit_ready(frame);
  });
}

void StreamSession::finish(const StreamFrameCallback& frame) {
  Impl& s = *impl_;
  if (s.finished) return;
  s.guarded([&] {
    s.finished = true;
    if (s.resampler) {
      const std::vector<float> rest = s.resampler->flush();
      s.audio.insert(s.audio.end(), rest.begin(), rest.end());
    }
    s.emit_ready(frame);
  });
}

void StreamSession::set_emotion(std::optional<Emotion> emotion, float intensity) {
  if (!(intensity >= 0 && intensity <= 1))
    throw usage_error("stream: emotion intensity must be in [0, 1], got " + std::to_string(intensity));
  Impl& s = *impl_;
  const EmotionState next = emotion_state(emotion, intensity);
  if (next == s.to) return;
  s.from = s.to;
  s.to = next;
  s.ramp_start = s.next_au;
}

void StreamSession::set_overrides(std::vector<AuOverride> overrides) {
  for (const auto& o : overrides)
    if (o.au < 0 || o.au >= kNumAus || !std::isfinite(o.value))
      throw usage_error("stream: an override names AU " + std::to_string(o.au) + " or a value that is not finite");
  impl_->overrides = std::move(overrides);
}

int64_t StreamSession::frames_out() const { return impl_->next_render; }
double StreamSession::seconds_in() const { return double(impl_->pushed) / impl_->config.sample_rate; }

}  // namespace auhead
