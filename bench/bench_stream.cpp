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

int main(int argc, char** argv) try {
  double minutes = 1;
  int streams = 1, size = 512, chunk_ms = 40;
  bool json = false;
  std::string portrait_file = std::string(AUHEAD_SOURCE_DIR) + "/examples/portrait.jpg";
  std::string audio_file = std::string(AUHEAD_SOURCE_DIR) + "/examples/speech.wav";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&] {
      if (i + 1 >= argc) throw auhead::usage_error(a + " needs a value");
      return std::string(argv[++i]);
    };
    if (a == "--minutes") minutes = std::stod(next());
    else if (a == "--streams") streams = std::stoi(next());
    else if (a == "--size") size = std::stoi(next());
    else if (a == "--chunk-ms") chunk_ms = std::stoi(next());
    else if (a == "--portrait") portrait_file = next();
    else if (a == "--audio") audio_file = next();
    else if (a == "--json") json = true;
    else throw auhead::usage_error("unknown option " + a);
  }
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
  if (json)
    std::printf("{\"bench\":\"stream_throughput\",\"size\":%d,\"audio_s\":%.1f,\"wall_s\":%.2f,\"cpu_s\":%.2f,"
                "\"speed_x_realtime\":%.1f,\"cpu_per_audio_s\":%.3f,\"cores\":%u,\"streams_held\":%.1f}\n",
                size, audio_s, wall, cpu, audio_s / wall, cpu_per_audio, cores, double(cores) / cpu_per_audio);
  else
    std::printf("throughput (%d², one stream, unpaced, %.0f s of audio): %.1f× real time, %.3f CPU s per audio s "
                "-> %.1f real-time streams on %u cores\n",
                size, audio_s, audio_s / wall, cpu_per_audio, double(cores) / cpu_per_audio, cores);

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
    if (json)
      std::printf("{\"bench\":\"stream_realtime\",\"stream\":%d,\"streams\":%d,\"size\":%d,\"minutes\":%.2f,\"chunk_ms\":%d,"
                  "\"frames\":%lld,\"latency_p50_ms\":%.1f,\"latency_p95_ms\":%.1f,\"latency_max_ms\":%.1f,"
                  "\"first_minute_p50_ms\":%.1f,\"last_minute_p50_ms\":%.1f,\"late_frames\":%lld,"
                  "\"max_lag_ms\":%.1f,\"end_drift_ms\":%.1f,\"cpu_share\":%.3f}\n",
                  k, streams, size, minutes, chunk_ms, (long long)r.frames, percentile(r.latency_ms, 0.5),
                  percentile(r.latency_ms, 0.95), percentile(r.latency_ms, 1), percentile(first, 0.5),
                  percentile(last, 0.5), (long long)late, r.max_lag_ms, r.end_drift_ms,
                  paced_cpu / paced_wall / streams);
    else
      std::printf("real time, stream %d of %d (%d², %.1f min, %d-ms chunks): %lld frames; latency p50 %.1f ms, "
                  "p95 %.1f ms, max %.1f ms (first minute p50 %.1f, last minute p50 %.1f); %lld late (> 200 ms); "
                  "audio ahead of the last frame by at most %.1f ms; end drift %.1f ms; CPU %.0f%% of a core per stream\n",
                  k + 1, streams, size, minutes, chunk_ms, (long long)r.frames, percentile(r.latency_ms, 0.5),
                  percentile(r.latency_ms, 0.95), percentile(r.latency_ms, 1), percentile(first, 0.5),
                  percentile(last, 0.5), (long long)late, r.max_lag_ms, r.end_drift_ms,
                  100 * paced_cpu / paced_wall / streams);
  }
  return 0;
} catch (const auhead::Error& e) {
  std::fprintf(stderr, "bench_stream: %s\n", e.what());
  return int(e.code());
}
