// Streaming: speech goes in as chunks of any size, frames come out as soon as they are final, for a
// live voice (a microphone, a language model's speech) driving a face. Stage 1 is the phonetic
// generator's fast front end, Stage 2 the warp renderer; each frame k (at k / fps seconds) is a
// function of the audio up to k / fps + lookahead only, so the frames do not depend on how the audio
// was cut into chunks. Emotion and AU overrides can change while the stream runs.
//
// Thread safety and ownership: a session belongs to one stream; its calls must not overlap (use one
// session per stream; sessions are independent and may run on different threads). It keeps a copy of
// the portrait and only the last few seconds of audio.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "auhead/au_edit.h"
#include "auhead/au_sequence.h"
#include "auhead/renderer.h"
#include "auhead/run_hooks.h"

namespace auhead {

struct StreamConfig {
  int size = 512;                         // frames are size × size: even, 64 to 4096
  double fps = 25;                        // 1 to 120
  uint64_t seed = 0;                      // blinks and head motion
  bool still = false;                     // no head motion
  bool keep_portrait_expression = false;  // false: the portrait's own expression is taken off first
  std::optional<Emotion> emotion;         // none: neutral (a stream does not estimate it from speech)
  float emotion_intensity = 0.7f;         // [0, 1]
  double context_seconds = 2.0;           // audio before a frame that its lip sync reads, 0.5 to 10
  double lookahead_seconds = 0.1;         // audio after a frame that must have arrived, 0.06 to 1
  double emotion_ramp_seconds = 0.2;      // a change of emotion blends in over this long, 0 to 5
  int sample_rate = 16000;                // of the pushed samples, 8000 to 192000 (others are resampled)
};

struct StreamFrame {
  int64_t index = 0;  // 0, 1, 2, ...
  double time = 0;    // index / fps: where the frame sits in the audio, seconds
  AuFrame aus{};      // the AUs it shows (after overrides and smoothing)
  ImageView image;    // size × size RGB, valid during the callback
};
using StreamFrameCallback = std::function<void(const StreamFrame&)>;

class StreamSession {
 public:
  // Analyses the portrait (errors: no face found, bad config as usage errors).
  StreamSession(const Portrait& portrait, const StreamConfig& config = {}, const RunHooks& hooks = {});
  ~StreamSession();
  StreamSession(StreamSession&&) noexcept;
  StreamSession& operator=(StreamSession&&) noexcept;

  // Appends mono samples in [-1, 1] at config.sample_rate (any count, even 0) and calls `frame` for every frame that
  // became final, in order. Non-finite samples are an input error; after an error the session is spent.
  void push(std::span<const float> samples, const StreamFrameCallback& frame);
  // The end of the speech: the remaining frames (as many as the offline pipeline makes for this much
  // audio). Later pushes are usage errors.
  void finish(const StreamFrameCallback& frame);

  // From the next frame on (blended over emotion_ramp_seconds); none is neutral.
  void set_emotion(std::optional<Emotion> emotion, float intensity);
  // Replaces the AU overrides applied to the frames still to come; their times are stream seconds
  // (an override from now on: start = seconds_in(), or 0 since past frames are out already).
  void set_overrides(std::vector<AuOverride> overrides);

  int64_t frames_out() const;  // frames handed out so far
  double seconds_in() const;   // audio received so far, seconds

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace auhead
