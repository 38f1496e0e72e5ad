// The in-process job queue of `auhead serve` (the default): uploads checked and queued, a fixed
// number of worker threads running them with the process's shared models, progress, cancellation,
// results kept in a private folder until fetched or expired. No networking here (http_server.h).
#pragma once
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <stop_token>
#include <thread>
#include <vector>

#include "serve/job_queue.h"
#include "serve/job_runner.h"

namespace auhead::serve {

class JobService : public JobQueue {
 public:
  // `jobs_dir`: a folder only this process uses (created; its job folders removed on shutdown).
  JobService(std::filesystem::path jobs_dir, JobRunner& runner);
  ~JobService() override;  // shutdown(0)

  std::string submit(const std::map<std::string, FormPart>& form) override;
  std::optional<JobStatus> status(const std::string& id) override;
  std::optional<std::string> result(const std::string& id, const std::string& which) override;
  bool cancel(const std::string& id) override;
  int running() override;
  int queued() override;
  void shutdown(double grace_seconds) override;

 private:
  struct Job;
  void work(std::stop_token stop);
  void expire_locked();
  bool full_locked() const;  // every worker busy and the queue at its length

  std::filesystem::path jobs_dir_;
  JobRunner& runner_;
  const ServiceLimits& limits_;
  mutable std::mutex mutex_;
  std::condition_variable_any wake_;
  std::map<std::string, std::shared_ptr<Job>> jobs_;
  std::deque<std::shared_ptr<Job>> queue_;
  int running_ = 0;
  bool closed_ = false;
  std::vector<std::jthread> workers_;
};

}  // namespace auhead::serve
