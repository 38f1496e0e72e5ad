// `auhead serve --worker --queue redis://HOST:PORT --shared-dir D`: takes jobs from the shared queue
// and runs them with this process's models, `threads` at a time. While a job runs its lease is renewed
// with its progress (twice a second, at most a third of the visibility timeout apart); a cancel
// request stops it. Results go to
// a fresh subfolder of the job's folder and count only if the lease is still this worker's when it
// finishes. On stop(): no new jobs; running ones get `grace_seconds`, then go back to the queue.
#pragma once
#include <atomic>
#include <cmath>
#include <functional>
#include <mutex>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "serve/job_runner.h"
#include "serve/redis_job_queue.h"

namespace auhead::serve {

class RedisWorker {
 public:
  // Connects (errors: unavailable) and checks the shared folder. `log`: one line per job and per
  // Redis trouble (may be empty).
  RedisWorker(SharedQueueOptions options, JobRunner& runner, std::function<void(const std::string&)> log = {});
  ~RedisWorker();
  // Runs jobs until stop() or a byte on wake_fd(), then stops within `grace_seconds` (+ a heartbeat).
  void run(double grace_seconds);
  void stop();
  int wake_fd() const { return wake_[1]; }

 private:
  void loop(int index);
  void execute(RedisClient& redis, const std::string& id, const std::string& token);
  void say(const std::string& line);
  long long lease_ms() const { return std::llround(options_.visibility_seconds * 1000); }

  SharedQueueOptions options_;
  JobRunner& runner_;
  std::function<void(const std::string&)> log_;
  std::string host_;
  int wake_[2] = {-1, -1};
  std::atomic<bool> draining_{false};  // no new jobs
  std::atomic<bool> abort_{false};     // running jobs stop and go back
  std::atomic<int> busy_{0};           // threads running a job
  std::mutex log_mutex_;
};

}  // namespace auhead::serve
