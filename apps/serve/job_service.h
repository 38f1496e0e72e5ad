// The jobs of `auhead serve`: uploads checked and queued, a fixed number of workers running them with
// models loaded once per process and shared, progress, cancellation, a per-job time limit, results
// kept in a private work folder until fetched or expired. No networking here (http_server.h).
#pragma once
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "auhead/error.h"
#include "serve/multipart_form.h"
#include "serve/request_options.h"

namespace auhead::serve {

struct ServiceLimits {
  int workers = 1;                        // jobs running at once
  int queue = 16;                         // jobs waiting beyond those (more: 429)
  double max_audio_seconds = 600;         // per upload
  int64_t max_image_pixels = 16'000'000;  // per portrait
  double job_seconds = 900;               // a running job past this is stopped (failed)
  double keep_seconds = 3600;             // results not fetched are removed after this
};

// Thrown by submit() when the queue is full.
class QueueFull : public Error {
 public:
  QueueFull() : Error(ExitCode::unavailable, "the job queue is full: try again later") {}
};

struct JobStatus {
  std::string id;
  std::string state;  // queued | running | done | failed | cancelled
  double progress = 0;
  std::string error;  // failed: the one-line message
  int code = 0;       // failed: the CLI's exit code for it
  bool video = false, au = false;  // results still on hand
};

class JobService {
 public:
  // `work_dir`: a folder only this process uses (created, and removed on destruction).
  JobService(std::filesystem::path work_dir, ServiceLimits limits, ModelNames models);
  ~JobService();  // shutdown(0)

  // POST /v1/jobs: parts `audio`, `portrait` (files) and `options` (JSON, optional). Checks the
  // options and decodes both files before queueing (usage / bad-input errors); QueueFull when full.
  std::string submit(const std::map<std::string, FormPart>& form);
  // POST /v1/au: parts `audio` and `options` (Stage 1 keys): the AU sequence as JSON, at once.
  std::string au_now(const std::map<std::string, FormPart>& form, std::stop_token stop);

  std::optional<JobStatus> status(const std::string& id);
  // The result's bytes ("video" | "au"); nullopt when the job is unknown or has no such result (yet).
  // Once both results were fetched, the job's files are removed.
  std::optional<std::string> result(const std::string& id, const std::string& which);
  // DELETE: stops a queued or running job (cancelled) or removes a finished one's files. False: unknown.
  bool cancel(const std::string& id);

  int running() const;
  int queued() const;
  // Stops taking jobs, drops the queue (cancelled), gives running jobs `grace_seconds` to finish and
  // then stops them; removes the work folder's job files.
  void shutdown(double grace_seconds);

  const ModelNames& models() const { return models_; }
  const ServiceLimits& limits() const { return limits_; }
  // The decoded portrait of a request, with the service's pixel limit.
  Portrait load_portrait(const FormPart& part, const std::filesystem::path& folder) const;
  // Decoded 16 kHz audio, with the service's duration limit.
  std::vector<float> load_audio_part(const FormPart& part, const std::filesystem::path& folder) const;
  std::filesystem::path scratch_folder();  // a new private folder under the work folder

 private:
  struct Job;
  void work(std::stop_token stop);
  void run(Job& job);
  std::shared_ptr<const AuGenerator> generator(const AuGeneratorConfig& c);
  std::shared_ptr<const Renderer> renderer(const RendererConfig& c);
  void expire_locked();
  bool full_locked() const;  // every worker busy and the queue at its length

  std::filesystem::path work_dir_;
  ServiceLimits limits_;
  ModelNames models_;
  mutable std::mutex mutex_;
  std::condition_variable_any wake_;
  std::map<std::string, std::shared_ptr<Job>> jobs_;
  std::deque<std::shared_ptr<Job>> queue_;
  int running_ = 0;
  bool closed_ = false;
  std::mutex models_mutex_;
  std::map<std::string, std::shared_ptr<const AuGenerator>> generators_;
  std::map<std::string, std::shared_ptr<const Renderer>> renderers_;
  std::vector<std::jthread> workers_;
  uint64_t next_scratch_ = 0;
};

}  // namespace auhead::serve
