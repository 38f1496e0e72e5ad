// `auhead serve`: the HTTP API and the WebSocket stream (README "Service") on Boost.Beast, over the
// job service (job_service.h) and the library's StreamSession. One thread per connection, a bounded
// number of connections and streams, idle timeouts on every socket, and a graceful stop.
#pragma once
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "serve/job_runner.h"
#include "serve/redis_job_queue.h"

namespace auhead::serve {

struct ServeOptions {
  std::string host = "127.0.0.1";            // loopback unless asked
  uint16_t port = 8080;                      // 0: any free port (see HttpServer::port)
  ServiceLimits limits;
  int64_t max_upload_bytes = 64ll << 20;     // request bodies and stream messages
  int max_connections = 64;
  int max_streams = 4;                       // WebSocket streams at once
  double idle_seconds = 30;                  // a connection or stream silent this long is closed
  double shutdown_seconds = 10;              // on stop: how long running jobs may still take
  std::filesystem::path work_dir;            // private job files (created; removed on exit)
  ModelNames models;                         // --model NAME=DIR
  std::optional<SharedQueueOptions> shared;  // jobs in Redis for `--worker` processes; else in-process
};

class HttpServer {
 public:
  // Binds and listens (errors: usage for a bad host, unavailable when the port is taken).
  explicit HttpServer(ServeOptions options);
  ~HttpServer();
  uint16_t port() const;
  // Serves until stop() (from any thread or a signal handler's wake-up, see wake_fd()).
  void run();
  // Stops accepting; running jobs get shutdown_seconds; open connections are closed; the work folder
  // is removed. Safe from any thread.
  void stop();
  // A file descriptor whose becoming readable (one byte written to it) stops the server: what a
  // signal handler may write to (async-signal-safe).
  int wake_fd() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace auhead::serve
