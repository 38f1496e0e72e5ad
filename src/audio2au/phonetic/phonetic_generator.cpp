#include "audio2au/phonetic/phonetic_generator.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "audio2au/phonetic/blink_generator.h"
#include "audio2au/phonetic/coarticulation.h"
#include "audio2au/phonetic/fast_front_end.h"
#include "audio2au/phonetic/phonetic_params.h"
#include "audio2au/phonetic/pocketsphinx_front_end.h"
#include "audio2au/phonetic/signal_features.h"
#include "audio2au/phonetic/viseme_table.h"
#include "auhead/au_edit.h"
#include "auhead/error.h"

namespace auhead::audio2au::phonetic {

namespace {
constexpr int kJawDrop = 8, kLipsPart = 29, kLowerLipDepress = 19, kPucker = 21, kCornerDepress = 27;
constexpr int kSmileL = 11, kSmileR = 12, kBrowRaiseL = 6, kBrowRaiseR = 7, kEyeL = 0, kEyeR = 1;

std::string format_ms(double s) { return std::to_string(long(std::lround(s * 1000))) + " ms"; }

// Soft union of two intensities in [0, 1]: never below either, never above 1.
float soft_or(float a, float b) { return a + b * (1 - a); }

// A brow raise around a stressed syllable: raised-cosine rise before the peak, fall after it.
float brow_pulse(double dt, const EmphasisParams& e) {
  if (dt < -e.brow_rise || dt > e.brow_fall) return 0.f;
  double u = dt < 0 ? 1 + dt / e.brow_rise : 1 - dt / e.brow_fall;
  return float(0.5 - 0.5 * std::cos(std::numbers::pi * u));
}

// `primary` with each of its SIL segments replaced by the overlapping part of `fallback`.
PhoneTrack fill_silences(const PhoneTrack& primary, const PhoneTrack& fallback) {
  PhoneTrack out;
  size_t j = 0;
  for (const auto& s : primary) {
    if (s.phone != "SIL") {
      out.push_back(s);
      continue;
    }
    while (j < fallback.size() && fallback[j].end <= s.start) ++j;
    for (size_t k = j; k < fallback.size() && fallback[k].start < s.end; ++k) {
      PhoneSegment f = fallback[k];
      f.start = std::max(f.start, s.start);
      f.end = std::min(f.end, s.end);
      if (f.end - f.start < 1e-6) continue;
      if (!out.empty() && out.back().phone == f.phone && out.back().end >= f.start - 1e-9) out.back().end = f.end;
      else out.push_back(f);
    }
  }
  return out;
}

bool is_opening(int a) { return a == kJawDrop || a == kLipsPart || a == kLowerLipDepress; }
}  // namespace

PhoneticGenerator::PhoneticGenerator(audio2au::AuGeneratorOptions options) : AuGenerator(std::move(options)) {
  if (options_.lipsync != "accurate" && options_.lipsync != "fast")
    throw usage_error("unknown lip-sync front end '" + options_.lipsync + "' (valid: accurate, fast)");
}

AuSequence PhoneticGenerator::generate(std::span<const float> samples, const std::string& source) {
  return run(samples, source).sequence;
}

PhoneticResult PhoneticGenerator::run(std::span<const float> samples, const std::string& source, double start_time) {
  const double fps = options_.fps;
  const double duration = double(samples.size()) / kSampleRate;
  if (duration * fps < 1 - 1e-9)
    throw input_error(source, "the audio is " + format_ms(duration) + " long, shorter than one AU frame (" +
                                  format_ms(1 / fps) + " at " + std::to_string(int(std::lround(fps))) + " fps)");
  for (size_t i = 0; i < samples.size(); ++i)
    if (!std::isfinite(samples[i])) throw input_error(source, "sample " + std::to_string(i) + " is not a finite number");

  const PhoneticParams& params = phonetic_params();
  const VisemeTable& table = VisemeTable::standard();
  PhoneticResult result;

  // 1. Acoustic analysis (both front ends and the prosody layer use it).
  auto frames = analyse_frames(samples, params.fast);
  const size_t n = frames.size();
  const bool any_speech = std::any_of(frames.begin(), frames.end(), [](const FrameFeatures& f) { return !f.silent; });

  // 2. Phones.
  const bool fast = options_.lipsync == "fast";
  if (!any_speech)
    result.phones = {{"SIL", 0.0, n * kFrameStep}};
  else if (fast)
    result.phones = fast_phones(frames, table, params.fast);
  else
  {
    // The all-phone decoder sometimes calls speech silence (its phone language model favours SIL):
    // there, the signal-processing phones stand in.
    result.phones = fill_silences(pocketsphinx_phones(samples, frames, params.accurate),
                                  fast_phones(frames, table, params.fast));
    measure_vowel_jaw(result.phones, frames, table, params.fast);
  }

  // 3. Visemes with coarticulation, loudness scaling the opening.
  auto mouth = coarticulate(table.visemes(result.phones), n, kFrameStep,
                            fast ? params.fast.lookahead : std::numeric_limits<double>::infinity());
  std::vector<float> loud(n, 0.f);
  for (size_t i = 0; i < n; ++i) {  // 50 ms centred average
    float s = 0;
    int c = 0;
    for (long j = long(i) - 2; j <= long(i) + 2; ++j)
      if (j >= 0 && j < long(n)) {
        s += frames[j].loudness;
        ++c;
      }
    loud[i] = s / c;
  }
  for (size_t i = 0; i < n; ++i) {
    float factor = table.loudness_floor() + table.loudness_gain() * std::pow(loud[i], table.loudness_exponent());
    for (int a : table.loudness_aus()) mouth.aus[i][a] = std::clamp(mouth.aus[i][a] * factor, 0.f, 1.f);
  }

  // 4. Emotion (given, or from prosody), modulated by emphasis; brow raises on stressed syllables.
  result.prosody = analyse_prosody(frames, params.prosody, params.emphasis);
  EmotionState emotion = options_.emotion ? EmotionState{*options_.emotion, options_.emotion_intensity}
                                          : result.prosody.estimate;
  const AuFrame& proto = emotion_prototype(emotion.label);
  const auto& speech = table.speech_aus();
  std::vector<AuFrame> track(n);
  for (size_t i = 0; i < n; ++i) {
    const AuFrame& s = mouth.aus[i];
    const float closure = mouth.closure[i];
    const float level = std::clamp(
        float(emotion.intensity * (1 + params.emphasis.modulation * (result.prosody.emphasis[i] - 0.5))), 0.f, 1.f);
    AuFrame& out = track[i];
    for (int a = 0; a < kNumAus; ++a) {
      float e = std::min(1.f, proto[a] * level);
      if (speech[a]) {
        // Speech keeps its shape: the emotion fills what speech leaves, and never opens a closure.
        if (is_opening(a)) e *= 1 - closure;
        out[a] = soft_or(s[a], e);
      } else {
        out[a] = e;
      }
    }
    // The corners that speech draws down as the lips part (visemes.json) give way to a smile.
    if (speech[kCornerDepress]) {
      const float smile = std::min(1.f, std::max(proto[kSmileL], proto[kSmileR]) * level);
      out[kCornerDepress] = soft_or(s[kCornerDepress] * (1 - smile), std::min(1.f, proto[kCornerDepress] * level));
    }
    // A smile spreads the lip corners against the rounding of a pucker: yield to the pucker.
    const float yield = 1 - 0.6f * s[kPucker];
    out[kSmileL] *= yield;
    out[kSmileR] *= yield;
    const double t = frame_time(i);
    float brow = 0;
    for (const auto& st : result.prosody.stresses)
      brow = std::max(brow, float(params.emphasis.brow_raise * st.strength * brow_pulse(t - st.time, params.emphasis)));
    out[kBrowRaiseL] = soft_or(out[kBrowRaiseL], brow);
    out[kBrowRaiseR] = soft_or(out[kBrowRaiseR], brow);
  }

  // 5. Output frames at the requested rate: linear interpolation of the 100 Hz track; eye closure
  // takes the maximum of the blinks over the frame's span, so that every blink shows.
  const size_t frames_out = std::max<size_t>(1, size_t(std::floor(duration * fps + 0.5)));
  auto blinks = generate_blinks(start_time + duration, options_.seed, params.blinks);
  AuSequence& seq = result.sequence;
  seq.fps = fps;
  seq.au_set = AuSet::auhead30;
  seq.emotion = emotion;
  seq.frames.resize(frames_out);
  size_t first_blink = 0;
  for (size_t k = 0; k < frames_out; ++k) {
    const double t = double(k) / fps;
    double x = std::clamp(t / kFrameStep - 0.5, 0.0, double(n - 1));
    size_t i0 = size_t(x), i1 = std::min(i0 + 1, n - 1);
    float w = float(x - double(i0));
    AuFrame& f = seq.frames[k];
    for (int a = 0; a < kNumAus; ++a) f[a] = std::clamp(track[i0][a] + w * (track[i1][a] - track[i0][a]), 0.f, 1.f);
    const double lo = start_time + t - 0.5 / fps, hi = start_time + t + 0.5 / fps;
    while (first_blink < blinks.size() && blinks[first_blink].start + blinks[first_blink].duration < lo) ++first_blink;
    float eye = 0;
    for (size_t b = first_blink; b < blinks.size() && blinks[b].start <= hi; ++b)
      eye = std::max(eye, blink_peak_in(blinks[b], lo, hi, params.blinks));
    f[kEyeL] = std::max(f[kEyeL], eye);
    f[kEyeR] = std::max(f[kEyeR], eye);
  }
  last_phones_ = result.phones;
  return result;
}

std::vector<PhoneMark> PhoneticGenerator::timeline() const { return phone_marks(last_phones_); }

std::vector<PhoneMark> phone_marks(const PhoneTrack& phones) {
  std::vector<PhoneMark> marks;
  marks.reserve(phones.size());
  for (const auto& p : phones) marks.push_back({p.phone, p.start, p.end});
  return marks;
}

}  // namespace auhead::audio2au::phonetic
