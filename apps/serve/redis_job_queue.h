// The front end's side of the shared queue (`auhead serve --queue redis://HOST:PORT --shared-dir D`):
// a submitted job's uploads are checked here and written to D/jobs/ID/, its record goes to Redis, and
// `auhead serve --worker` processes anywhere run it (redis_worker.h). Results are read from D.
#pragma once
#include <chrono>
#include <filesystem>
#include <mutex>

#include "serve/job_queue.h"
#include "serve/job_runner.h"
#include "serve/redis_job_store.h"

namespace auhead::serve {

struct SharedQueueOptions {
  std::string url;                     // redis://[:PASSWORD@]HOST[:PORT][/DB]
  std::filesystem::path shared_dir;    // the folder every front end and worker sees
  double visibility_seconds = 30;      // a worker silent this long has died: its job goes back
  int max_attempts = 3;                // a job whose workers died this often fails
};

class RedisJobQueue : public JobQueue {
 public:
  RedisJobQueue(SharedQueueOptions options, JobRunner& runner);

  std::string submit(const std::map<std::string, FormPart>& form) override;
  std::optional<JobStatus> status(const std::string& id) override;
  std::optional<std::string> result(const std::string& id, const std::string& which) override;
  bool cancel(const std::string& id) override;
  int running() override;
  int queued() override;
  void shutdown(double) override {}  // the jobs belong to the workers

 private:
  void tidy();  // now and then: jobs of dead workers back to the queue, folders of expired jobs removed

  SharedQueueOptions options_;
  JobRunner& runner_;
  RedisClient redis_;
  RedisJobStore store_;
  std::mutex tidy_mutex_;
  std::chrono::steady_clock::time_point last_reap_{}, last_sweep_{};
};

// A job's folder on the shared folder; ids are 32 hex digits (anything else names no job).
std::filesystem::path shared_job_dir(const std::filesystem::path& shared_dir, const std::string& id);
bool valid_job_id(const std::string& id);

}  // namespace auhead::serve
