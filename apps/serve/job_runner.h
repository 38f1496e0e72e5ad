// What every job queue of `auhead serve` shares: the upload checks (the service's audio and pixel
// limits), the models, loaded once per process and shared by jobs, and running one job into a folder
// with progress, cancellation and the per-job time limit. No queue and no networking here.
#pragma once
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "auhead/error.h"
#include "serve/multipart_form.h"
#include "serve/request_options.h"

namespace auhead::serve {

struct ServiceLimits {
  int workers = 1;                        // jobs running at once (per process)
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

// How a job ended: state done | failed | cancelled; failed ones carry the CLI's message and exit code.
struct JobOutcome {
  std::string state = "done";
  std::string error;
  int code = 0;
};

// A submitted job's inputs, checked: its options and both uploads decoded within the limits.
struct JobInputs {
  GenerateRequest request;
  std::vector<float> samples;
  std::optional<Portrait> portrait;
};

class JobRunner {
 public:
  JobRunner(ServiceLimits limits, ModelNames models);

  const ServiceLimits& limits() const { return limits_; }
  const ModelNames& models() const { return models_; }

  // The parts of POST /v1/jobs (audio, portrait, options), written into `dir` as audio.in,
  // portrait.in (and the options as options.json) and decoded; usage / bad-input errors name the part.
  JobInputs accept(const std::map<std::string, FormPart>& form, const std::filesystem::path& dir) const;
  // The same inputs read back from a folder that accept() wrote (a worker of a shared queue); it only
  // reads, since another worker may be reading them too.
  JobInputs reload(const std::filesystem::path& dir) const;

  // Decoded 16 kHz audio, with the duration limit; a portrait, with the pixel limit.
  std::vector<float> load_audio_part(const FormPart& part, const std::filesystem::path& folder) const;
  Portrait load_portrait(const FormPart& part, const std::filesystem::path& folder) const;

  // POST /v1/au: parts `audio` and `options` (Stage 1 keys), in a scratch folder: the AU JSON.
  std::string au_now(const std::map<std::string, FormPart>& form, const std::filesystem::path& scratch,
                     std::stop_token stop);

  // Runs a job: au.json and video.mp4 into `out` (the audio muxed from `audio_file`). `progress` gets
  // 0..1; `stop` cancels; past the time limit the job fails. Never throws for the job's own errors.
  JobOutcome run(JobInputs& job, const std::filesystem::path& out, const std::filesystem::path& audio_file,
                 std::stop_source& stop, const std::function<void(double)>& progress);

 private:
  std::vector<float> load_audio_file(const std::filesystem::path& file) const;
  Portrait load_portrait_file(const std::filesystem::path& file) const;
  std::shared_ptr<const AuGenerator> generator(const AuGeneratorConfig& c);
  std::shared_ptr<const Renderer> renderer(const RendererConfig& c);

  ServiceLimits limits_;
  ModelNames models_;
  std::mutex models_mutex_;
  std::map<std::string, std::shared_ptr<const AuGenerator>> generators_;
  std::map<std::string, std::shared_ptr<const Renderer>> renderers_;
};

// Helpers shared by the queues.
std::string random_job_id();  // 32 hex digits
void write_bytes(const std::filesystem::path& file, const std::string& bytes);
std::optional<std::string> read_bytes(const std::filesystem::path& file);

}  // namespace auhead::serve
