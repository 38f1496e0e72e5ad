// The job records of the shared queue, kept in Redis so that any number of front ends and workers on
// any number of machines share them. Every change is one Lua script, so it is atomic:
//   auhead:queue          list of waiting job ids (new ones pushed left, taken from the right)
//   auhead:running        list of ids a worker holds
//   auhead:job:ID         hash: state, progress, error, code, attempts, cancel, result, *_fetched
//   auhead:lease:ID       the holding worker's token, expiring after the visibility timeout
// A worker renews its lease while it runs a job; a job whose lease expired (its worker died) goes back
// to the queue, or fails after max_attempts starts. Finishing needs the lease, so a job finishes once.
#pragma once
#include <optional>
#include <string>

#include "serve/job_queue.h"
#include "serve/job_runner.h"
#include "serve/redis_client.h"

namespace auhead::serve {

class RedisJobStore {
 public:
  explicit RedisJobStore(RedisClient& redis) : redis_(redis) {}

  // A new queued job; false when `queue_limit` jobs already wait.
  bool submit(const std::string& id, int queue_limit);
  // The oldest waiting job, now held by `token` for `lease_ms`; nullopt when none waits.
  std::optional<std::string> claim(const std::string& token, long long lease_ms);
  enum class Beat { ok, cancel, lost };
  // Renews the lease and stores the progress; `lost` when the lease is no longer this worker's.
  Beat heartbeat(const std::string& id, const std::string& token, long long lease_ms, double progress);
  // Records the outcome (results in the job folder's `result` subfolder) if `token` still holds the
  // job, and starts the record's expiry; false when the lease was lost (the outcome is dropped).
  bool finish(const std::string& id, const std::string& token, const JobOutcome& outcome, const std::string& result,
              double keep_seconds);
  // A stopping worker hands a job back to the front of the queue (not counted as an attempt); a job
  // whose cancel was asked for ends cancelled instead. True when it went back to the queue.
  bool give_back(const std::string& id, const std::string& token, double keep_seconds);
  // Jobs whose lease expired: back to the queue, or failed after `max_attempts`. Returns how many.
  int reap(int max_attempts, double keep_seconds);
  enum class Cancel { unknown, was_queued, stopping, finished };
  Cancel cancel(const std::string& id, double keep_seconds);

  struct Record {
    JobStatus status;
    std::string result;  // the subfolder holding the results
    bool video_fetched = false, au_fetched = false;
  };
  std::optional<Record> get(const std::string& id);
  // Marks a result fetched; true when both are.
  bool fetched(const std::string& id, const std::string& which);
  bool exists(const std::string& id);
  int queued();
  int running();

 private:
  RedisClient& redis_;
};

}  // namespace auhead::serve
