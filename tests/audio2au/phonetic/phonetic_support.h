// Test and bench support for the phonetic AU generator: a minimal 16-bit PCM WAV reader, synthetic
// vowels, espeak-ng speech with exact phoneme timings (when built with espeak-ng), and the quality
// measures of issue #4 (jaw-drop vs vowel-openness correlation, p/b/m closure hit rate).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <numbers>
#include <stdexcept>
#include <string>
#include <vector>

#include "auhead/au_sequence.h"

#if AUHEAD_HAVE_ESPEAK
#include <espeak-ng/speak_lib.h>
#endif

namespace phonetic_support {

// 16-bit PCM WAV (any rate, channels averaged); returns samples in [-1, 1] and the rate.
inline std::vector<float> read_wav(const std::string& path, int* rate_out = nullptr) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open");
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), {});
  auto u32 = [&](size_t o) { uint32_t v; std::memcpy(&v, bytes.data() + o, 4); return v; };
  auto u16 = [&](size_t o) { uint16_t v; std::memcpy(&v, bytes.data() + o, 2); return v; };
  if (bytes.size() < 12 || std::memcmp(bytes.data(), "RIFF", 4) || std::memcmp(bytes.data() + 8, "WAVE", 4))
    throw std::runtime_error(path + ": not a WAV file");
  int channels = 1, rate = 16000, bits = 16;
  for (size_t o = 12; o + 8 <= bytes.size();) {
    uint32_t size = u32(o + 4);
    if (!std::memcmp(bytes.data() + o, "fmt ", 4)) {
      channels = u16(o + 10);
      rate = int(u32(o + 12));
      bits = u16(o + 22);
    } else if (!std::memcmp(bytes.data() + o, "data", 4)) {
      if (bits != 16) throw std::runtime_error(path + ": only 16-bit PCM");
      size = std::min<uint32_t>(size, uint32_t(bytes.size() - o - 8));
      size_t n = size / 2 / channels;
      std::vector<float> out(n);
      for (size_t i = 0; i < n; ++i) {
        float s = 0;
        for (int c = 0; c < channels; ++c) s += int16_t(u16(o + 8 + (i * channels + c) * 2)) / 32768.f;
        out[i] = s / channels;
      }
      if (rate_out) *rate_out = rate;
      return out;
    }
    o += 8 + size + (size & 1);
  }
  throw std::runtime_error(path + ": no data chunk");
}

// Band-limited resampling (windowed sinc, 32 taps each side).
inline std::vector<float> resample(const std::vector<float>& x, int from, int to) {
  if (from == to) return x;
  const double ratio = double(to) / from, cutoff = 0.9 * std::min(1.0, ratio);
  const int half = 32;
  size_t n = size_t(std::floor(x.size() * ratio));
  std::vector<float> y(n);
  for (size_t k = 0; k < n; ++k) {
    double t = k / ratio;
    long c = long(std::floor(t));
    double acc = 0;
    for (long j = c - half + 1; j <= c + half; ++j) {
      if (j < 0 || j >= long(x.size())) continue;
      double d = t - j, arg = std::numbers::pi * cutoff * d;
      double sinc = d == 0 ? cutoff : cutoff * std::sin(arg) / arg;
      double w = 0.5 + 0.5 * std::cos(std::numbers::pi * d / half);
      acc += x[j] * sinc * w;
    }
    y[k] = float(acc);
  }
  return y;
}

// A vowel-like 16 kHz signal: a glottal pulse train at f0 through two resonators (F1, F2).
inline std::vector<float> synth_vowel(double seconds, double f1, double f2, float amplitude = 0.3f, double f0 = 120) {
  const int sr = 16000;
  size_t n = size_t(seconds * sr);
  std::vector<float> x(n, 0.f);
  for (double t = 0; t < n; t += sr / f0) x[size_t(t)] = 1.f;
  auto resonate = [&](double f, double bw) {
    double r = std::exp(-std::numbers::pi * bw / sr), th = 2 * std::numbers::pi * f / sr;
    double a1 = 2 * r * std::cos(th), a2 = -r * r, y1 = 0, y2 = 0;
    for (auto& v : x) {
      double y = v + a1 * y1 + a2 * y2;
      y2 = y1;
      y1 = y;
      v = float(y);
    }
  };
  resonate(f1, 80);
  resonate(f2, 100);
  float peak = 0;
  for (float v : x) peak = std::max(peak, std::abs(v));
  for (auto& v : x) v *= amplitude / std::max(peak, 1e-6f);
  return x;
}

inline void append(std::vector<float>& a, const std::vector<float>& b) { a.insert(a.end(), b.begin(), b.end()); }
inline std::vector<float> silence(double seconds) { return std::vector<float>(size_t(seconds * 16000), 0.f); }

struct TimedPhoneme {
  std::string name;  // espeak-ng mnemonic
  double start = 0, end = 0;
};

struct Utterance {
  std::vector<float> samples;  // 16 kHz
  std::vector<TimedPhoneme> phonemes;
};

// Vowel openness of an espeak-ng (en) phoneme mnemonic: open 1, open-mid 0.7, mid 0.5, close 0.25,
// consonants and pauses 0 (diphthongs by their first element).
inline double openness(const std::string& ph) {
  if (ph.empty()) return 0;
  switch (ph[0]) {
    case 'a': case 'A': return 1.0;
    case 'V': case 'O': case '0': case 'E': case '3': return 0.7;
    case '@': case 'e': case 'o': return 0.5;
    case 'i': case 'I': case 'u': case 'U': return 0.25;
    default: return 0.0;
  }
}
inline bool is_bilabial(const std::string& ph) { return ph == "p" || ph == "b" || ph == "m"; }

#if AUHEAD_HAVE_ESPEAK
namespace detail {
struct Capture {
  std::vector<short> wav;
  std::vector<std::pair<std::string, int>> events;  // phoneme, ms
};
inline Capture*& capture() {
  static Capture* c = nullptr;
  return c;
}
inline int callback(short* wav, int n, espeak_EVENT* ev) {
  Capture* c = capture();
  if (wav && n > 0) c->wav.insert(c->wav.end(), wav, wav + n);
  for (; ev && ev->type != espeakEVENT_LIST_TERMINATED; ++ev)
    if (ev->type == espeakEVENT_PHONEME) {
      char name[9] = {};
      std::memcpy(name, ev->id.string, 8);
      c->events.emplace_back(name, ev->audio_position);
    }
  return 0;
}
}  // namespace detail

// Synthesises `text` (en-us) and returns 16 kHz speech with the phonemes' exact spans; empty
// samples when espeak-ng cannot start.
inline Utterance espeak_utterance(const std::string& text, int rate_wpm = 160) {
  static int sr = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, nullptr, espeakINITIALIZE_PHONEME_EVENTS);
  Utterance u;
  if (sr <= 0) return u;
  espeak_SetVoiceByName("en-us");
  espeak_SetParameter(espeakRATE, rate_wpm, 0);
  detail::Capture cap;
  detail::capture() = &cap;
  espeak_SetSynthCallback(detail::callback);
  espeak_Synth(text.c_str(), text.size() + 1, 0, POS_CHARACTER, 0, espeakCHARS_AUTO, nullptr, nullptr);
  espeak_Synchronize();
  detail::capture() = nullptr;
  std::vector<float> x(cap.wav.size());
  for (size_t i = 0; i < x.size(); ++i) x[i] = cap.wav[i] / 32768.f;
  u.samples = resample(x, sr, 16000);
  const double total = double(cap.wav.size()) / sr;
  for (size_t i = 0; i < cap.events.size(); ++i) {
    double s = cap.events[i].second / 1000.0;
    double e = i + 1 < cap.events.size() ? cap.events[i + 1].second / 1000.0 : total;
    if (e > s) u.phonemes.push_back({cap.events[i].first, s, std::min(e, total)});
  }
  return u;
}
#endif

// espeak-ng times an unvoiced stop (p, t, k, tS) from its burst: the silence of its closure is
// counted in the phoneme before. This moves each such stop's start back to the start of the
// silence (samples below 1e-3, at most 150 ms) that precedes its burst, so that the truth says
// "closed" while the lips are closed. Voiced stops and nasals are voiced through their closure and
// already timed from it.
inline void attach_stop_closures(Utterance& u) {
  auto silent_at = [&](double t) {
    long c = long(t * 16000);
    for (long i = c - 40; i <= c + 40; ++i)
      if (i >= 0 && i < long(u.samples.size()) && std::abs(u.samples[i]) > 1e-3f) return false;
    return true;
  };
  for (size_t i = 1; i < u.phonemes.size(); ++i) {
    const auto& n = u.phonemes[i].name;
    if (n != "p" && n != "t" && n != "k" && n != "tS") continue;
    double start = u.phonemes[i].start, t = start;
    // Search back from the event over any burst onset for the silence.
    double lo = std::max(u.phonemes[i - 1].start, start - 0.15);
    double s = -1;
    for (t = start; t >= lo; t -= 0.0025)
      if (silent_at(t)) {
        s = t;
        break;
      }
    if (s < 0) continue;
    while (s - 0.0025 >= lo && silent_at(s - 0.0025)) s -= 0.0025;
    u.phonemes[i - 1].end = s;
    u.phonemes[i].start = s;
  }
}

// Pearson correlation of the jaw-drop AU with the ground-truth openness at the frame times.
inline double jaw_openness_correlation(const auhead::AuSequence& seq, const std::vector<TimedPhoneme>& truth) {
  std::vector<double> a, b;
  size_t p = 0;
  for (size_t k = 0; k < seq.frames.size(); ++k) {
    double t = k / seq.fps;
    while (p < truth.size() && truth[p].end <= t) ++p;
    double o = (p < truth.size() && truth[p].start <= t) ? openness(truth[p].name) : 0.0;
    a.push_back(seq.frames[k][8]);
    b.push_back(o);
  }
  double ma = 0, mb = 0;
  for (size_t i = 0; i < a.size(); ++i) ma += a[i], mb += b[i];
  ma /= a.size();
  mb /= b.size();
  double sab = 0, saa = 0, sbb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : 0.0;
}

// Mouth closed: jaw drop <= 0.1 and lips part <= 0.2.
inline bool mouth_closed(const auhead::AuFrame& f) { return f[8] <= 0.1f && f[29] <= 0.2f; }

// Share of p/b/m whose span, widened by `tolerance` seconds each side, holds a closed-mouth frame.
inline double closure_hit_rate(const auhead::AuSequence& seq, const std::vector<TimedPhoneme>& truth,
                               double tolerance = 0.06, int* count = nullptr) {
  int total = 0, hits = 0;
  for (const auto& ph : truth) {
    if (!is_bilabial(ph.name)) continue;
    ++total;
    for (size_t k = 0; k < seq.frames.size(); ++k) {
      double t = k / seq.fps;
      if (t >= ph.start - tolerance && t <= ph.end + tolerance && mouth_closed(seq.frames[k])) {
        ++hits;
        break;
      }
    }
  }
  if (count) *count = total;
  return total ? double(hits) / total : 1.0;
}

}  // namespace phonetic_support
