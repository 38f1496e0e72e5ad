// Load on `auhead serve` (issue #16): an in-process server on a loopback port and N clients that each
// submit short jobs (POST /v1/jobs), poll them, and fetch both results, until M jobs are done. Prints
// failures, the latency from submit to both results fetched (p50 / p95 / max), throughput and the
// process's peak RSS (server and clients together). With --queue redis://HOST:PORT --shared-dir D the
// server is a front end of the shared queue and the jobs run in `auhead serve --worker` processes that
// you start beside it (their memory is not in the RSS figure).
// Usage: bench_serve [--jobs 200] [--concurrency 8] [--workers 2] [--seconds-of-audio 1] [--size 128]
//                    [--queue redis://HOST:PORT --shared-dir D] [--json]
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "auhead/au_generator.h"
#include "bench_options.h"
#include "build_config.h"
#include "serve/http_client.h"
#include "serve/http_server.h"
#include "serve/multipart_form.h"

namespace http = boost::beast::http;
using auhead::serve::http_request;
using Reply = auhead::serve::HttpReply;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

namespace {

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A 16-bit mono 16 kHz WAV of `samples`.
std::string wav(const std::vector<float>& samples) {
  std::string out = "RIFF" + std::string(4, '\0') + "WAVEfmt ";
  auto u32 = [&](uint32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); };
  auto u16 = [&](uint16_t v) { out.append(reinterpret_cast<const char*>(&v), 2); };
  u32(16), u16(1), u16(1), u32(16000), u32(32000), u16(2), u16(16);
  out += "data";
  u32(uint32_t(samples.size() * 2));
  for (float s : samples) u16(uint16_t(int16_t(std::clamp(s, -1.f, 1.f) * 32767)));
  const uint32_t riff = uint32_t(out.size() - 8);
  std::memcpy(out.data() + 4, &riff, 4);
  return out;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, std::size_t(p * double(v.size() - 1) + 0.5))];
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"load on `auhead serve`: N clients submitting short jobs until M are done"};
  auhead::bench::BenchReport report("bench_serve");
  int jobs = 200, concurrency = 8, workers = 2, size = 128;
  double audio_seconds = 1;
  std::string queue, shared_dir;
  app.add_option("--jobs", jobs, "jobs in all")->check(CLI::Range(1, 1000000))->capture_default_str();
  app.add_option("--concurrency", concurrency, "clients at once")->check(CLI::Range(1, 1024))->capture_default_str();
  app.add_option("--workers", workers, "the in-process queue's workers")->check(CLI::Range(1, 256))->capture_default_str();
  app.add_option("--seconds-of-audio", audio_seconds, "speech per job")->check(CLI::Range(0.1, 60.0))->capture_default_str();
  app.add_option("--size", size, "frame size")->check(CLI::Range(64, 2048))->capture_default_str();
  app.add_option("--queue", queue, "redis://HOST:PORT: a front end of the shared queue (start workers beside it)");
  app.add_option("--shared-dir", shared_dir, "the folder the front end and the workers share (with --queue)");
  auhead::bench::add_json_option(app, report);
  return auhead::bench::run_bench(app, report, argc, argv, [&] {
    const std::string src = AUHEAD_SOURCE_DIR;
    std::vector<float> speech = auhead::load_audio(src + "/examples/speech.wav");
    speech.resize(std::min(speech.size(), std::size_t(audio_seconds * 16000)));
    const std::string audio = wav(speech), portrait = file_bytes(src + "/examples/portrait.jpg");
    const std::string boundary = "benchBoundary42";
    const std::string options = json{{"lipsync", "fast"}, {"size", size}, {"emotion", "happy"}}.dump();
    const std::string body = auhead::serve::write_multipart_form(
        {{"audio", {"a.wav", "", audio}}, {"portrait", {"p.jpg", "", portrait}}, {"options", {"", "", options}}}, boundary);

    auhead::serve::ServeOptions o;
    o.port = 0;
    o.limits.workers = workers;
    o.limits.queue = jobs;
    o.work_dir = std::filesystem::temp_directory_path() / ("auhead-bench-serve-" + std::to_string(::getpid()));
    if (!queue.empty()) o.shared = auhead::serve::SharedQueueOptions{queue, shared_dir};
    auhead::serve::HttpServer server(o);
    const uint16_t port = server.port();
    std::thread serving([&] { server.run(); });

    std::atomic<int> next_job{0}, failures{0};
    std::mutex m;
    std::vector<double> latency;
    std::string first_failure;
    const auto t0 = Clock::now();
    std::vector<std::thread> clients;
    for (int c = 0; c < concurrency; ++c)
      clients.emplace_back([&] {
        while (next_job.fetch_add(1) < jobs) {
          const auto start = Clock::now();
          std::string why;
          try {
            Reply r = http_request(port, http::verb::post, "/v1/jobs", body, "multipart/form-data; boundary=" + boundary);
            if (r.status != 202) throw std::runtime_error("submit: " + std::to_string(r.status) + " " + r.body);
            const std::string id = json::parse(r.body)["id"];
            for (;;) {
              json j = json::parse(http_request(port, http::verb::get, "/v1/jobs/" + id).body);
              if (j["state"] == "done") break;
              if (j["state"] != "queued" && j["state"] != "running") throw std::runtime_error("job: " + j.dump());
              std::this_thread::sleep_for(std::chrono::milliseconds(20));
            }
            Reply v = http_request(port, http::verb::get, "/v1/jobs/" + id + "/video");
            Reply a = http_request(port, http::verb::get, "/v1/jobs/" + id + "/au");
            if (v.status != 200 || a.status != 200 || v.body.size() < 1000) throw std::runtime_error("results");
          } catch (const std::exception& e) {
            why = e.what();
          }
          std::lock_guard lock(m);
          if (!why.empty()) {
            ++failures;
            if (first_failure.empty()) first_failure = why;
          } else {
            latency.push_back(1e3 * std::chrono::duration<double>(Clock::now() - start).count());
          }
        }
      });
    for (auto& t : clients) t.join();
    const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
    server.stop();
    serving.join();
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    const double rss_mb = double(u.ru_maxrss) / 1024;
    report.record("", {{"queue", queue.empty() ? "in-process" : "redis"}, {"jobs", jobs}, {"concurrency", concurrency},
                       {"workers", workers}, {"audio_s", audio_seconds}, {"size", size}, {"failures", failures.load()},
                       {"latency_p50_ms", percentile(latency, 0.5)}, {"latency_p95_ms", percentile(latency, 0.95)},
                       {"latency_max_ms", percentile(latency, 1)}, {"jobs_per_s", double(jobs) / wall}, {"peak_rss_mb", rss_mb}});
    report.text("serve (%s queue): %d jobs (%.1f s of speech, %d², fast lip sync) from %d clients on %d workers: %d failed; "
                "submit to both results p50 %.0f ms, p95 %.0f ms, max %.0f ms; %.2f jobs/s; peak RSS %.0f MB%s%s\n",
                queue.empty() ? "in-process" : "redis", jobs, audio_seconds, size, concurrency, workers, failures.load(),
                percentile(latency, 0.5),
                percentile(latency, 0.95), percentile(latency, 1), double(jobs) / wall, rss_mb,
                first_failure.empty() ? "" : "; first failure: ", first_failure.c_str());
    return failures ? 1 : 0;
  });
}
