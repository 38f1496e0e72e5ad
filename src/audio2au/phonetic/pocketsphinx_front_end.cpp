#include "audio2au/phonetic/pocketsphinx_front_end.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "auhead/error.h"

#if AUHEAD_HAVE_POCKETSPHINX
#include <pocketsphinx.h>
#include <sphinxbase/err.h>
#endif

namespace auhead::audio2au::phonetic {

#if AUHEAD_HAVE_POCKETSPHINX
namespace {
const std::filesystem::path kModelDir = "/usr/share/pocketsphinx/model/en-us";

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

struct Chunk {
  size_t first_frame = 0, end_frame = 0;  // analysis frames [first, end)
  bool speech = false;
};

// Cuts at the centres of pauses (silent runs >= chunk_min_pause), chunks <= chunk_max where possible.
std::vector<Chunk> make_chunks(const std::vector<FrameFeatures>& frames, const AccurateParams& p) {
  const size_t n = frames.size();
  std::vector<size_t> cuts;
  for (size_t i = 0; i < n;) {
    if (!frames[i].silent) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < n && frames[j].silent) ++j;
    if ((j - i) * kFrameStep >= p.chunk_min_pause && i > 0 && j < n) cuts.push_back((i + j) / 2);
    i = j;
  }
  const size_t max_len = std::max<size_t>(size_t(p.chunk_max / kFrameStep), 50);
  std::vector<Chunk> chunks;
  size_t start = 0, c = 0;
  while (start < n) {
    size_t end = std::min(n, start + max_len);
    if (end < n) {
      size_t best = 0;
      while (c < cuts.size() && cuts[c] <= end) {
        if (cuts[c] > start) best = cuts[c];
        ++c;
      }
      if (best > start) end = best;  // else a hard cut inside speech
    }
    Chunk ch{start, end, false};
    for (size_t i = start; i < end && !ch.speech; ++i) ch.speech = !frames[i].silent;
    chunks.push_back(ch);
    start = end;
  }
  return chunks;
}

// sphinxbase keeps its log stream in a global: opening it per decoder ("-logfn") from two threads
// at once deadlocked in glibc's stdio. Logging is switched off once, and decoders are created and
// freed one at a time; decoding itself runs in parallel.
std::mutex& decoder_lifetime_mutex() {
  static std::mutex m;
  return m;
}

void silence_sphinx_logging() {
  static std::once_flag once;
  std::call_once(once, [] { err_set_logfp(nullptr); });
}

class Decoder {
 public:
  explicit Decoder(const AccurateParams& p) {
    silence_sphinx_logging();
    std::lock_guard lock(decoder_lifetime_mutex());
    auto hmm = (kModelDir / "en-us").string(), lm = (kModelDir / "en-us-phone.lm.bin").string();
    auto beam = number(p.beam), pbeam = number(p.pbeam), wbeam = number(p.wbeam), lw = number(p.lw),
         pip = number(p.pip), ds = std::to_string(p.ds), topn = std::to_string(p.topn),
         maxhmmpf = std::to_string(p.maxhmmpf);
    config_ = cmd_ln_init(nullptr, ps_args(), TRUE, "-hmm", hmm.c_str(), "-allphone", lm.c_str(), "-backtrace", "no",
                          "-beam", beam.c_str(), "-pbeam", pbeam.c_str(), "-wbeam", wbeam.c_str(), "-lw", lw.c_str(),
                          "-pip", pip.c_str(), "-ds", ds.c_str(), "-topn", topn.c_str(), "-maxhmmpf",
                          maxhmmpf.c_str(), "-samprate", "16000", "-allphone_ci", p.ci ? "yes" : "no", nullptr);
    if (!config_) throw unavailable_error("pocketsphinx: bad decoder settings in data/phonetic.json \"accurate\"");
    ps_ = ps_init(config_);
    if (!ps_) {
      cmd_ln_free_r(config_);
      throw unavailable_error("pocketsphinx: cannot load the en-us model from " + kModelDir.string());
    }
  }
  ~Decoder() {
    std::lock_guard lock(decoder_lifetime_mutex());
    ps_free(ps_);
    cmd_ln_free_r(config_);
  }
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  PhoneTrack decode(const std::vector<int16_t>& pcm, double offset) {
    PhoneTrack out;
    if (ps_start_utt(ps_) < 0) throw Error(ExitCode::internal, "pocketsphinx: cannot start an utterance");
    ps_process_raw(ps_, pcm.data(), pcm.size(), FALSE, TRUE);
    ps_end_utt(ps_);
    for (ps_seg_t* it = ps_seg_iter(ps_); it; it = ps_seg_next(it)) {
      int sf = 0, ef = 0;
      ps_seg_frames(it, &sf, &ef);
      std::string w = ps_seg_word(it);
      if (w.empty() || w[0] == '+' || w == "<s>" || w == "</s>" || w == "<sil>") w = "SIL";
      out.push_back({w, offset + sf * kFrameStep, offset + (ef + 1) * kFrameStep});
    }
    return out;
  }

 private:
  cmd_ln_t* config_ = nullptr;
  ps_decoder_t* ps_ = nullptr;
};
}  // namespace

bool pocketsphinx_available() {
  return std::filesystem::exists(kModelDir / "en-us" / "mdef") && std::filesystem::exists(kModelDir / "en-us-phone.lm.bin");
}

PhoneTrack pocketsphinx_phones(std::span<const float> samples, const std::vector<FrameFeatures>& frames,
                               const AccurateParams& p) {
  if (!pocketsphinx_available())
    throw unavailable_error("the accurate lip-sync front end needs pocketsphinx-en-us (" + kModelDir.string() +
                            "); install it or use --lipsync fast");
  auto chunks = make_chunks(frames, p);
  std::vector<PhoneTrack> results(chunks.size());
  std::atomic<size_t> next{0};
  std::exception_ptr error;
  std::atomic<bool> failed{false};
  auto work = [&] {
    try {
      std::unique_ptr<Decoder> dec;
      for (size_t k; (k = next++) < chunks.size() && !failed;) {
        const auto& ch = chunks[k];
        double t0 = ch.first_frame * kFrameStep, t1 = ch.end_frame * kFrameStep;
        if (!ch.speech) {
          results[k] = {{"SIL", t0, t1}};
          continue;
        }
        size_t s0 = ch.first_frame * 160, s1 = std::min(samples.size(), ch.end_frame * 160);
        std::vector<int16_t> pcm(s1 - s0);
        for (size_t i = s0; i < s1; ++i) pcm[i - s0] = int16_t(std::lround(std::clamp(samples[i], -1.f, 1.f) * 32767.f));
        if (!dec) dec = std::make_unique<Decoder>(p);
        results[k] = dec->decode(pcm, t0);
        if (results[k].empty()) results[k] = {{"SIL", t0, t1}};
      }
    } catch (...) {
      if (!failed.exchange(true)) error = std::current_exception();
    }
  };
  size_t speech_chunks = std::count_if(chunks.begin(), chunks.end(), [](const Chunk& c) { return c.speech; });
  int threads = int(std::clamp<size_t>(speech_chunks, 1, size_t(std::max(1, p.threads))));
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
  PhoneTrack out;
  for (auto& r : results)
    for (auto& s : r) {
      if (!out.empty()) s.start = std::max(s.start, out.back().end);
      if (s.end <= s.start) continue;
      out.push_back(s);
    }
  return out;
}

#else  // built without pocketsphinx

bool pocketsphinx_available() { return false; }

PhoneTrack pocketsphinx_phones(std::span<const float>, const std::vector<FrameFeatures>&, const AccurateParams&) {
  throw unavailable_error("this build of auhead has no pocketsphinx: the accurate lip-sync front end needs "
                          "libpocketsphinx-dev (scripts/setup.sh); use --lipsync fast");
}
#endif

}  // namespace auhead::audio2au::phonetic
