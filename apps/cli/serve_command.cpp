// `auhead serve`: the HTTP API and WebSocket stream (README "Service"), on loopback by default.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <unistd.h>

#include "auhead/error.h"
#include "command.h"
#include "serve/http_server.h"
#include "serve/redis_worker.h"

namespace auhead::cli {
namespace {

int g_wake_fd = -1;

extern "C" void on_stop_signal(int) {
  const char b = 1;
  if (g_wake_fd >= 0) [[maybe_unused]] auto n = ::write(g_wake_fd, &b, 1);
}

std::filesystem::path private_work_dir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/auhead-serve-XXXXXX";
  if (!::mkdtemp(pattern.data())) throw output_error(pattern, "cannot make the work folder");
  return pattern;
}

// `--worker`: jobs from the Redis queue with this process's models until SIGTERM / SIGINT; running
// jobs get --shutdown-seconds, then go back to the queue.
void run_worker(const serve::ServeOptions& o, bool quiet) {
  serve::JobRunner runner(o.limits, o.models);
  auto log = [quiet](const std::string& line) {
    if (!quiet) std::fprintf(stderr, "auhead worker: %s\n", printable(line).c_str());
  };
  serve::RedisWorker worker(*o.shared, runner, log);
  g_wake_fd = worker.wake_fd();
  std::signal(SIGTERM, on_stop_signal);
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGPIPE, SIG_IGN);
  log("taking jobs from " + serve::RedisAddress::parse(o.shared->url).name() + ", " + std::to_string(o.limits.workers) +
      " at a time");
  worker.run(o.shutdown_seconds);
  g_wake_fd = -1;
  log("stopped");
}

CommandRegistration reg(70, [](CLI::App& app, const GlobalOptions& global) {
  auto o = std::make_shared<serve::ServeOptions>();
  auto models = std::make_shared<std::vector<std::string>>();
  auto port_file = std::make_shared<std::string>();
  auto upload_mb = std::make_shared<double>(64);
  auto queue = std::make_shared<std::string>();
  auto worker = std::make_shared<bool>(false);
  auto shared = std::make_shared<serve::SharedQueueOptions>();
  auto* cmd = app.add_subcommand("serve", "HTTP API and WebSocket stream (loopback unless --host says otherwise)");
  cmd->add_option("--host", o->host, "address to listen on")->capture_default_str();
  cmd->add_option("--port", o->port, "port to listen on (0: any free one)")->capture_default_str();
  cmd->add_option("--port-file", *port_file, "write the port listened on to this file once listening");
  cmd->add_option("--model", *models, "a model folder requests may name: NAME=DIR (repeatable)");
  cmd->add_option("--workers", o->limits.workers, "jobs running at once")->check(finite_range(1, 64))->capture_default_str();
  cmd->add_option("--queue", *queue, "redis://HOST:PORT: keep jobs in Redis for `--worker` processes (a number: --queue-length)");
  cmd->add_option("--queue-length", o->limits.queue, "jobs waiting at most (more: HTTP 429)")->check(finite_range(0, 100000))->capture_default_str();
  cmd->add_option("--shared-dir", shared->shared_dir, "with a Redis queue: the folder every front end and worker sees (uploads, results)");
  cmd->add_flag("--worker", *worker, "run jobs from the Redis queue instead of serving HTTP (needs --queue, --shared-dir)");
  cmd->add_option("--visibility-seconds", shared->visibility_seconds, "with a Redis queue: a worker silent this long has died and its job goes back")->check(finite_range(1, 3600))->capture_default_str();
  cmd->add_option("--max-attempts", shared->max_attempts, "with a Redis queue: a job whose workers died this often fails")->check(finite_range(1, 100))->capture_default_str();
  cmd->add_option("--max-upload-mb", *upload_mb, "largest request body or stream message, MB")->check(finite_range(0.001, 4096))->capture_default_str();
  cmd->add_option("--max-audio-seconds", o->limits.max_audio_seconds, "longest audio per job or stream")->check(finite_range(1, 7200))->capture_default_str();
  cmd->add_option("--max-image-pixels", o->limits.max_image_pixels, "largest portrait, pixels")->check(finite_range(4096, 64e6))->capture_default_str();
  cmd->add_option("--job-seconds", o->limits.job_seconds, "time limit of a running job")->check(finite_range(1, 86400))->capture_default_str();
  cmd->add_option("--keep-seconds", o->limits.keep_seconds, "results not fetched are removed after this")->check(finite_range(1, 604800))->capture_default_str();
  cmd->add_option("--max-connections", o->max_connections, "open connections at most")->check(finite_range(1, 10000))->capture_default_str();
  cmd->add_option("--max-streams", o->max_streams, "WebSocket streams at once")->check(finite_range(0, 1000))->capture_default_str();
  cmd->add_option("--idle-seconds", o->idle_seconds, "a silent connection or stream is closed after this")->check(finite_range(0.1, 3600))->capture_default_str();
  cmd->add_option("--shutdown-seconds", o->shutdown_seconds, "on SIGTERM: how long running jobs may still take")->check(finite_range(0, 3600))->capture_default_str();
  cmd->callback([o, models, port_file, upload_mb, queue, worker, shared, &global] {
    for (const std::string& m : *models) {
      const auto eq = m.find('=');
      if (eq == 0 || eq == std::string::npos || eq + 1 == m.size()) throw usage_error("--model: NAME=DIR expected, got '" + m + "'");
      const std::filesystem::path dir = m.substr(eq + 1);
      if (!std::filesystem::is_directory(dir)) throw input_error(dir.string(), "not a folder");
      o->models[m.substr(0, eq)] = dir;
    }
    o->max_upload_bytes = int64_t(*upload_mb * 1024 * 1024);
    if (!queue->empty() && queue->find_first_not_of("0123456789") == std::string::npos) {
      o->limits.queue = int(std::min<long long>(100000, std::stoll(queue->substr(0, 7))));  // the old --queue N
    } else if (!queue->empty()) {
      serve::RedisAddress::parse(*queue);  // usage error now, before anything starts
      if (shared->shared_dir.empty()) throw usage_error("--queue redis://...: --shared-dir is needed too");
      shared->url = *queue;
      o->shared = *shared;
    } else if (!shared->shared_dir.empty()) {
      throw usage_error("--shared-dir goes with --queue redis://HOST:PORT");
    }
    if (*worker) {
      if (!o->shared) throw usage_error("--worker needs --queue redis://HOST:PORT and --shared-dir");
      run_worker(*o, global.quiet);
      return;
    }
    o->work_dir = private_work_dir();
    serve::HttpServer server(*o);
    g_wake_fd = server.wake_fd();
    std::signal(SIGTERM, on_stop_signal);
    std::signal(SIGINT, on_stop_signal);
    std::signal(SIGPIPE, SIG_IGN);  // a client gone mid-write is an error on that connection only
    if (!port_file->empty()) std::ofstream(*port_file) << server.port() << "\n";
    if (!global.quiet) std::fprintf(stderr, "auhead: serving on http://%s:%u\n", o->host.c_str(), unsigned(server.port()));
    server.run();
    g_wake_fd = -1;
    if (!global.quiet) std::fprintf(stderr, "auhead: stopped\n");
  });
});

}  // namespace
}  // namespace auhead::cli
