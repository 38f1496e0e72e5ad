// What the HTTP API needs of a job queue: the in-process one (job_service.h, the default) and the
// Redis one that any number of worker processes take jobs from (redis_job_queue.h).
#pragma once
#include <map>
#include <optional>
#include <string>

#include "serve/multipart_form.h"

namespace auhead::serve {

struct JobStatus {
  std::string id;
  std::string state;  // queued | running | done | failed | cancelled
  double progress = 0;
  std::string error;  // failed: the one-line message
  int code = 0;       // failed: the CLI's exit code for it
  int attempts = 0;   // times a worker started it (more than 1: a worker died or stopped mid-job)
  bool video = false, au = false;  // results still on hand
};

class JobQueue {
 public:
  virtual ~JobQueue() = default;
  // POST /v1/jobs: parts `audio`, `portrait` (files) and `options` (JSON, optional). Checks the
  // options and decodes both files before queueing (usage / bad-input errors); QueueFull when full.
  virtual std::string submit(const std::map<std::string, FormPart>& form) = 0;
  virtual std::optional<JobStatus> status(const std::string& id) = 0;
  // The result's bytes ("video" | "au"); nullopt when the job is unknown or has no such result (yet).
  // Once both results were fetched, the job's files are removed.
  virtual std::optional<std::string> result(const std::string& id, const std::string& which) = 0;
  // DELETE: stops a queued or running job (cancelled) or removes a finished one's files. False: unknown.
  virtual bool cancel(const std::string& id) = 0;
  virtual int running() = 0;
  virtual int queued() = 0;
  // Stops taking jobs; jobs of this process: the queue dropped (cancelled), running ones get
  // `grace_seconds` to finish and are then stopped.
  virtual void shutdown(double grace_seconds) = 0;
};

}  // namespace auhead::serve
