// Streaming figures (issue #16, README "Streaming"): a StreamSession (public API) fed the bundled
// speech, looped, in chunks of 40 ms.
//   Throughput: as fast as it goes, one stream — CPU seconds per second of audio, and so how many
//   real-time streams the machine's cores hold.
//   Real time: chunks paced by the wall clock for --minutes; per frame the latency from the wall time
//   its chunk's last sample arrived to the frame's callback (p50 / p95 / max, first and last minute);
//   the audio/video drift (audio received minus the last frame's time, and the frame count against
//   the audio at the end); late frames (latency > 200 ms). --streams N runs N paced streams at once.
// Usage: bench_stream [--minutes M] [--streams N] [--size S] [--chunk-ms C] [--json]
//                     [--portrait P] [--audio A]
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "auhead/au_generator.h"
#include "auhead/error.h"
#include "auhead/stream.h"
#include "bench_options.h"
#include "build_config.h"

using Clock = std::chrono::steady_clock;

namespace {

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, std::size_t(p * double(v.size() - 1) + 0.5))];
}

struct PacedResult {
  std::vector<double> latency_ms;  // per frame
  std::vector<double> frame_time;  // per frame, seconds
  double max_lag_ms = 0;           // audio received − last frame's time, after each chunk
  double end_drift_ms = 0;         // frames · frame period − audio duration, at the end
  int64_t frames = 0;
};

PacedResult run_paced(const auhead::Portrait& portrait, const auhead::StreamConfig& config,
                      const std::vector<float>& audio, std::size_t chunk) {
  auhead::StreamSession s(portrait, config);
  PacedResult r;
  std::vector<Clock::time_point> chunk_arrival;
  const double chunk_s = double(chunk) / 16000;
  auto on_frame = [&](const auhead::StreamFrame& f) {
    const std::size_t c = std::min(chunk_arrival.size() - 1, std::size_t(f.time / chunk_s));
    r.latency_ms.push_back(1e3 * std::chrono::duration<double>(Clock::now() - chunk_arrival[c]).count());
    r.frame_time.push_back(f.time);
  };
  const Clock::time_point start = Clock::now();
  for (std::size_t i = 0, c = 0; i < audio.size(); i += chunk, ++c) {
    std::this_thread::sleep_until(start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(double(c + 1) * chunk_s)));
    chunk_arrival.push_back(Clock::now());
    s.push(std::span<const float>(audio).subspan(i, std::min(chunk, audio.size() - i)), on_frame);
    if (!r.frame_time.empty()) r.max_lag_ms = std::max(r.max_lag_ms, 1e3 * (s.seconds_in() - r.frame_time.back()));
  }
  s.finish(on_frame);
  r.frames = s.frames_out();
  r.end_drift_ms = 1e3 * (double(r.frames) / config.fps - s.seconds_in());
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"streaming: throughput of one unpaced stream, then paced real-time streams"};
  auhead::bench::BenchReport report("bench_stream");
  double minutes = 1;
  int streams = 1, size = 512, chunk_ms = 40;
  std::string portrait_file = std::string(AUHEAD_SOURCE_DIR) + "/examples/portrait.jpg";
  std::string audio_file = std::string(AUHEAD_SOURCE_DIR) + "/examples/speech.wav";
  app.add_option("--minutes", minutes, "length of each paced stream")->check(CLI::Range(0.05, 600.0))->capture_default_str();
  app.add_option("--streams", streams, "paced streams at once")->check(CLI::Range(1, 256))->capture_default_str();
  app.add_option("--size", size, "frame size")->check(CLI::Range(64, 2048))->capture_default_str();
  app.add_option("--chunk-ms", chunk_ms, "audio pushed per call")->check(CLI::Range(10, 1000))->capture_default_str();
  app.add_option("--portrait", portrait_file, "portrait")->capture_default_str();
  app.add_option("--audio", audio_file, "speech, looped")->capture_default_str();
  auhead::bench::add_json_option(app, report);
  return auhead::bench::run_bench(app, report, argc, argv, [&] {
    const std::vector<float> clip = auhead::load_audio(audio_file);
    std::vector<float> audio;
    while (double(audio.size()) < minutes * 60 * 16000) audio.insert(audio.end(), clip.begin(), clip.end());
    audio.resize(std::size_t(minutes * 60 * 16000));
    const auhead::Portrait portrait = auhead::Portrait::load(portrait_file);
    auhead::StreamConfig config;
    config.size = size;
    config.emotion = auhead::Emotion::happy;
    const std::size_t chunk = std::size_t(chunk_ms) * 16;

    // Throughput: one stream, unpaced, over the first 30 s.
    const std::size_t n = std::min(audio.size(), std::size_t(30 * 16000));
    double cpu0 = cpu_seconds();
    auto t0 = Clock::now();
    {
      auhead::StreamSession s(portrait, config);
      for (std::size_t i = 0; i < n; i += chunk)
        s.push(std::span<const float>(audio).subspan(i, std::min(chunk, n - i)), [](const auhead::StreamFrame&) {});
      s.finish([](const auhead::StreamFrame&) {});
    }
    const double wall = std::chrono::duration<double>(Clock::now() - t0).count(), cpu = cpu_seconds() - cpu0;
    const double audio_s = double(n) / 16000, cpu_per_audio = cpu / audio_s;
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    report.text("throughput (%d², one stream, unpaced, %.0f s of audio): %.1f× real time, %.3f CPU s per audio s "
                "-> %.1f real-time streams on %u cores\n",
                size, audio_s, audio_s / wall, cpu_per_audio, double(cores) / cpu_per_audio, cores);
    report.record("throughput", {{"size", size}, {"audio_s", audio_s}, {"wall_s", wall}, {"cpu_s", cpu},
                                 {"x_realtime", audio_s / wall}, {"cpu_per_audio_s", cpu_per_audio}, {"cores", cores},
                                 {"streams_held", double(cores) / cpu_per_audio}});

    // Real time: `streams` paced streams for `minutes`.
    std::vector<PacedResult> results(static_cast<std::size_t>(streams));
    cpu0 = cpu_seconds();
    t0 = Clock::now();
    std::vector<std::thread> threads;
    std::mutex error_mutex;
    std::string error;
    for (int k = 0; k < streams; ++k)
      threads.emplace_back([&, k] {
        try {
          results[std::size_t(k)] = run_paced(portrait, config, audio, chunk);
        } catch (const std::exception& e) {
          std::lock_guard lock(error_mutex);
          error = e.what();
        }
      });
    for (auto& t : threads) t.join();
    if (!error.empty()) throw auhead::Error(auhead::ExitCode::internal, error);
    const double paced_wall = std::chrono::duration<double>(Clock::now() - t0).count();
    const double paced_cpu = cpu_seconds() - cpu0;
    for (int k = 0; k < streams; ++k) {
      const PacedResult& r = results[std::size_t(k)];
      std::vector<double> first, last;
      const double end = double(audio.size()) / 16000;
      for (std::size_t i = 0; i < r.latency_ms.size(); ++i) {
        if (r.frame_time[i] < 60) first.push_back(r.latency_ms[i]);
        if (r.frame_time[i] >= end - 60) last.push_back(r.latency_ms[i]);
      }
      const auto late = std::count_if(r.latency_ms.begin(), r.latency_ms.end(), [](double l) { return l > 200; });
      report.record("realtime", {{"stream", k}, {"streams", streams}, {"size", size}, {"minutes", minutes},
                                 {"chunk_ms", chunk_ms}, {"frames", r.frames}, {"latency_p50_ms", percentile(r.latency_ms, 0.5)},
                                 {"latency_p95_ms", percentile(r.latency_ms, 0.95)}, {"latency_max_ms", percentile(r.latency_ms, 1)},
                                 {"first_minute_p50_ms", percentile(first, 0.5)}, {"last_minute_p50_ms", percentile(last, 0.5)},
                                 {"late_frames", late}, {"max_lag_ms", r.max_lag_ms}, {"end_drift_ms", r.end_drift_ms},
                                 {"cpu_share", paced_cpu / paced_wall / streams}});
      report.text("real time, stream %d of %d (%d², %.1f min, %d-ms chunks): %lld frames; latency p50 %.1f ms, "
                  "p95 %.1f ms, max %.1f ms (first minute p50 %.1f, last minute p50 %.1f); %lld late (> 200 ms); "
                  "audio ahead of the last frame by at most %.1f ms; end drift %.1f ms; CPU %.0f%% of a core per stream\n",
                  k + 1, streams, size, minutes, chunk_ms, (long long)r.frames, percentile(r.latency_ms, 0.5),
                  percentile(r.latency_ms, 0.95), percentile(r.latency_ms, 1), percentile(first, 0.5),
                  percentile(last, 0.5), (long long)late, r.max_lag_ms, r.end_drift_ms,
                  100 * paced_cpu / paced_wall / streams);
    }
    return 0;
  });
}
