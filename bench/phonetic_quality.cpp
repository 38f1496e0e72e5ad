// Quality and speed of the phonetic AU generator (issue #4): on espeak-ng speech with exact phoneme
// timings, the Pearson correlation of jaw drop with the vowel-openness timeline and the p/b/m
// closure hit rate (closed within 60 ms), for both front ends; real-time factors on espeak and the
// LibriVox recordings of pocketsphinx-testdata; optional PNG plots (--plots DIR).
// Usage: phonetic_quality [--plots DIR] [--lipsync fast|accurate|both] [--fps N] [--set espeak|librivox|both] [--json]
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "../tests/audio2au/phonetic/phonetic_support.h"
#include "auhead/au_plot.h"
#include "audio2au/phonetic/phonetic_generator.h"
#include "audio2au/phonetic/phonetic_params.h"
#include "audio2au/phonetic/signal_features.h"
#include "auhead/error.h"
#include "bench_options.h"

using namespace auhead;
namespace ps = phonetic_support;
namespace fs = std::filesystem;

namespace {
const std::vector<std::string> kSentences = {
    "Bob bought a big map of the bay, and mom put the maple pie by the pump.",
    "The small brown puppy jumped over a pile of papers in the bathroom.",
    "Please bring me a bottle of lemonade from the market before my bus arrives.",
    "My father parked the bright blue car by the palm tree at the harbor.",
    "A lamb ambled past the barn, and the farmer smiled at the happy boy.",
    "Patricia made a compass, a map and a pocket of berries for the trip.",
    "On Monday morning, Ben and Maria went camping by the lake.",
    "Stop complaining about the weather, it is a wonderful bright spring day.",
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"quality and speed of the phonetic AU generator on espeak-ng speech and LibriVox"};
  auhead::bench::BenchReport report("phonetic_quality");
  std::string plots, which = "both";
  double fps = 25;
  int dump = 0;
  bool lag_scan = false;
  std::string set = "both";  // espeak | librivox | both
  app.add_option("--plots", plots, "write the AU curves of every utterance as PNGs into this folder");
  app.add_option("--lipsync", which, "front ends")->check(CLI::IsMember({"fast", "accurate", "both"}))->capture_default_str();
  app.add_option("--fps", fps, "AU frame rate")->check(CLI::Range(1.0, 240.0))->capture_default_str();
  app.add_option("--dump", dump, "tuning aid: N > 0 prints the features of espeak sentence N, -N its jaw against the truth");
  app.add_option("--set", set, "speech")->check(CLI::IsMember({"espeak", "librivox", "both"}))->capture_default_str();
  app.add_flag("--lag-scan", lag_scan, "tuning aid: the correlation with the truth shifted by -100..100 ms");
  auhead::bench::add_json_option(app, report);
  return auhead::bench::run_bench(app, report, argc, argv, [&] {
    if (!plots.empty()) fs::create_directories(plots);
    std::vector<std::string> modes;
    if (which == "both" || which == "fast") modes.push_back("fast");
    if (which == "both" || which == "accurate") modes.push_back("accurate");
#if AUHEAD_HAVE_ESPEAK
    if (set != "librivox") {
    std::vector<ps::Utterance> utts;
    for (const auto& s : kSentences) utts.push_back(ps::espeak_utterance(s));
    auto raw = utts;
    for (auto& u : utts) ps::attach_stop_closures(u);
    if (dump < 0 && -dump <= int(utts.size())) {  // jaw drop against the truth at the AU frames (tuning aid)
      const auto& u = utts[-dump - 1];
      audio2au::AuGeneratorOptions o;
      o.lipsync = which == "accurate" ? "accurate" : "fast";
      o.fps = fps;
      audio2au::phonetic::PhoneticGenerator gen(o);
      auto r = gen.run(u.samples, "dump");
      size_t p = 0, q = 0;
      for (size_t k = 0; k < r.sequence.frames.size(); ++k) {
        double t = k / fps;
        while (p < u.phonemes.size() && u.phonemes[p].end <= t) ++p;
        while (q < r.phones.size() && r.phones[q].end <= t) ++q;
        std::string truth = p < u.phonemes.size() ? u.phonemes[p].name : "-";
        report.text("%5.2f %-4s %.2f  jaw=%.2f lips=%.2f  %s\n", t, truth.c_str(), ps::openness(truth),
                    r.sequence.frames[k][8], r.sequence.frames[k][29], q < r.phones.size() ? r.phones[q].phone.c_str() : "-");
      }
      return 0;
    }
    if (dump > 0 && dump <= int(utts.size())) {  // per-frame features against the true phonemes (tuning aid)
      const auto& u = utts[dump - 1];
      auto frames = audio2au::phonetic::analyse_frames(u.samples, audio2au::phonetic::phonetic_params().fast);
      size_t p = 0;
      for (size_t i = 0; i < frames.size(); ++i) {
        double t = audio2au::phonetic::frame_time(i);
        while (p < u.phonemes.size() && u.phonemes[p].end <= t) ++p;
        const auto& f = frames[i];
        report.text("%5.2f %-4s e=%6.1f loud=%.2f v=%.2f f0=%5.0f F1=%5.0f F2=%5.0f low=%.2f zcr=%.2f\n", t,
                    p < u.phonemes.size() ? u.phonemes[p].name.c_str() : "-", f.energy_db, f.loudness, f.voicing, f.f0,
                    f.f1, f.f2, f.low_band, f.zcr);
      }
      return 0;
    }
    for (const auto& mode : modes) {
      audio2au::AuGeneratorOptions o;
      o.lipsync = mode;
      o.fps = fps;
      audio2au::phonetic::PhoneticGenerator gen(o);
      double corr_sum = 0, corr_raw = 0, audio = 0, cpu = 0;
      int closures = 0, hits = 0, hits_raw = 0;
      report.text("== espeak-ng, %s front end, %g fps\n", mode.c_str(), fps);
      for (size_t i = 0; i < utts.size(); ++i) {
        auto t0 = std::chrono::steady_clock::now();
        auto r = gen.run(utts[i].samples, "espeak sentence " + std::to_string(i + 1));
        cpu += seconds_since(t0);
        audio += utts[i].samples.size() / 16000.0;
        double c = ps::jaw_openness_correlation(r.sequence, utts[i].phonemes);
        double c_raw = ps::jaw_openness_correlation(r.sequence, raw[i].phonemes);
        corr_raw += c_raw;
        int n = 0;
        double h = ps::closure_hit_rate(r.sequence, utts[i].phonemes, 0.06, &n);
        corr_sum += c;
        closures += n;
        hits += int(std::lround(h * n));
        hits_raw += int(std::lround(ps::closure_hit_rate(r.sequence, raw[i].phonemes, 0.06) * n));
        report.text("  sentence %zu: r = %.3f (espeak's raw stop timing: %.3f), closures %d/%d, emotion %s %.2f "
                    "(pitch sd %.1f st, height %.1f st, loudness sd %.1f dB)\n", i + 1, c, c_raw,
                    int(std::lround(h * n)), n, std::string(emotion_name(r.sequence.emotion->label)).c_str(),
                    r.sequence.emotion->intensity, r.prosody.pitch_sd, r.prosody.pitch_height, r.prosody.loudness_sd);
        if (!plots.empty())
          write_au_plot(fs::path(plots) / ("espeak_" + std::to_string(i + 1) + "_" + mode + ".png"),
                                  r.sequence, audio2au::phonetic::phone_marks(r.phones));
      }
      if (lag_scan) {  // correlation with the truth shifted (tuning aid)
        for (int lag = -100; lag <= 100; lag += 20) {
          double sum = 0;
          for (size_t i = 0; i < utts.size(); ++i) {
            auto u = utts[i].phonemes;
            for (auto& p : u) p.start += lag / 1000.0, p.end += lag / 1000.0;
            auto r = gen.run(utts[i].samples, "lag");
            sum += ps::jaw_openness_correlation(r.sequence, u);
          }
          report.text("  truth shifted %+d ms: mean r = %.3f\n", lag, sum / utts.size());
        }
      }
      report.text("  mean r = %.3f (raw stop timing: %.3f), closure hit rate = %.1f%% (%d/%d; raw stop timing %.1f%%), "
                  "%.1fx real time\n", corr_sum / utts.size(), corr_raw / utts.size(), 100.0 * hits / std::max(closures, 1),
                  hits, closures, 100.0 * hits_raw / std::max(closures, 1), audio / cpu);
      report.record("espeak", {{"lipsync", mode}, {"fps", fps}, {"sentences", utts.size()}, {"mean_r", corr_sum / utts.size()},
                               {"mean_r_raw_stops", corr_raw / utts.size()}, {"closures", closures}, {"closure_hits", hits},
                               {"x_realtime", audio / cpu}});
    }
    }
#else
    report.text("built without espeak-ng: no ground-truth measurement\n");
#endif
    const fs::path librivox = "/usr/share/pocketsphinx/test/data/librivox";
    if (set != "espeak" && fs::exists(librivox)) {
      for (const auto& mode : modes) {
        audio2au::AuGeneratorOptions o;
        o.lipsync = mode;
        o.fps = fps;
        audio2au::phonetic::PhoneticGenerator gen(o);
        double audio = 0, cpu = 0;
        report.text("== LibriVox, %s front end\n", mode.c_str());
        std::vector<fs::path> files;
        for (const auto& e : fs::directory_iterator(librivox))
          if (e.path().extension() == ".wav") files.push_back(e.path());
        std::sort(files.begin(), files.end());
        for (const auto& f : files) {
          auto x = ps::read_wav(f.string());
          auto t0 = std::chrono::steady_clock::now();
          auto r = gen.run(x, f.string());
          double dt = seconds_since(t0);
          cpu += dt;
          audio += x.size() / 16000.0;
          report.text("  %s: %.1f s audio, %.2f s, %zu phones, emotion %s %.2f (pitch sd %.1f st, height %.1f st, loudness sd %.1f dB)\n",
                      f.filename().c_str(), x.size() / 16000.0, dt, r.phones.size(),
                      std::string(emotion_name(r.sequence.emotion->label)).c_str(), r.sequence.emotion->intensity,
                      r.prosody.pitch_sd, r.prosody.pitch_height, r.prosody.loudness_sd);
          if (!plots.empty())
            write_au_plot(fs::path(plots) / (f.stem().string() + "_" + mode + ".png"), r.sequence,
                                    audio2au::phonetic::phone_marks(r.phones));
        }
        report.text("  %.1fx real time\n", audio / cpu);
        report.record("librivox", {{"lipsync", mode}, {"fps", fps}, {"files", files.size()}, {"audio_s", audio},
                                   {"x_realtime", audio / cpu}});
      }
    }
    return 0;
  });
}
