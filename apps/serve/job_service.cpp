#include "serve/job_service.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/json_text.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace auhead::serve {

struct JobService::Job {
  std::string id;
  fs::path dir;
  GenerateRequest request;
  std::vector<float> samples;
  std::optional<Portrait> portrait;
  std::string state = "queued";
  double progress = 0;
  std::string error;
  int code = 0;
  std::stop_source stop;
  bool timed_out = false;
  bool video_fetched = false, au_fetched = false, files = true;
  Clock::time_point finished_at;
};

namespace {

std::string random_id() {
  static std::mutex m;
  static std::mt19937_64 rng{std::random_device{}()};
  std::lock_guard lock(m);
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", (unsigned long long)rng(), (unsigned long long)rng());
  return buf;
}

void write_bytes(const fs::path& file, const std::string& bytes) {
  std::ofstream out(file, std::ios::binary);
  out.write(bytes.data(), std::streamsize(bytes.size()));
  if (!out) throw output_error(file.filename().string(), "cannot write to the work folder");
}

std::optional<std::string> read_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

const FormPart& required(const std::map<std::string, FormPart>& form, const std::string& name) {
  auto it = form.find(name);
  if (it == form.end()) throw usage_error("the request needs a '" + name + "' part");
  return it->second;
}

void only_parts(const std::map<std::string, FormPart>& form, std::initializer_list<const char*> names) {
  for (const auto& [name, part] : form)
    if (std::find_if(names.begin(), names.end(), [&](const char* n) { return name == n; }) == names.end())
      throw usage_error("unknown part '" + name + "'");
}

nlohmann::json options_of(const std::map<std::string, FormPart>& form) {
  auto it = form.find("options");
  if (it == form.end()) return nlohmann::json::object();
  try {
    return parse_json_text(it->second.data, "options");
  } catch (const Error& e) {
    throw usage_error(e.what());  // a request's own text: a bad request, not a bad file
  }
}

// An error about our copy of an upload names the request's part instead (no server path in replies).
Error as_part(const Error& e, const fs::path& file, const std::string& part) {
  std::string m = e.what();
  const std::string f = file.string();
  if (m.compare(0, f.size(), f) == 0) m = part + m.substr(f.size());
  return Error(e.code(), m);
}

std::string generator_key(const AuGeneratorConfig& c) {
  std::ostringstream k;
  k << c.implementation << '|' << c.lipsync << '|' << c.model_dir.string() << '|' << c.temperature.value_or(-1) << '|'
    << c.top_k.value_or(-1) << '|' << c.top_p.value_or(-1);
  return k.str();
}

std::string renderer_key(const RendererConfig& c) {
  std::ostringstream k;
  const SamplingOptions& s = c.sampling;
  k << c.implementation << '|' << c.size << '|' << c.model_dir.string() << '|' << s.steps.value_or(-1) << '|'
    << s.sampler.value_or("") << '|' << s.guidance_reference.value_or(-1) << '|' << s.guidance_au.value_or(-1) << '|'
    << s.device.value_or("");
  return k.str();
}

}  // namespace

JobService::JobService(fs::path work_dir, ServiceLimits limits, ModelNames models)
    : work_dir_(std::move(work_dir)), limits_(limits), models_(std::move(models)) {
  fs::create_directories(work_dir_ / "jobs");
  fs::create_directories(work_dir_ / "scratch");
  for (int i = 0; i < std::max(1, limits_.workers); ++i)
    workers_.emplace_back([this](std::stop_token stop) { work(stop); });
}

JobService::~JobService() { shutdown(0); }

fs::path JobService::scratch_folder() {
  std::lock_guard lock(mutex_);
  fs::path dir = work_dir_ / "scratch" / (random_id() + std::to_string(next_scratch_++));
  fs::create_directories(dir);
  return dir;
}

std::vector<float> JobService::load_audio_part(const FormPart& part, const fs::path& folder) const {
  const fs::path file = folder / "audio.in";
  write_bytes(file, part.data);
  std::vector<float> samples;
  try {
    samples = load_audio(file);
  } catch (const Error& e) {
    throw as_part(e, file, "audio");
  }
  if (double(samples.size()) / 16000 > limits_.max_audio_seconds)
    throw input_error("audio", "longer than this server takes (" + std::to_string(int(limits_.max_audio_seconds)) + " s)");
  return samples;
}

Portrait JobService::load_portrait(const FormPart& part, const fs::path& folder) const {
  const fs::path file = folder / "portrait.in";
  write_bytes(file, part.data);
  std::optional<Portrait> p;
  try {
    p = Portrait::load(file);
  } catch (const Error& e) {
    throw as_part(e, file, "portrait");
  }
  const ImageView v = p->pixels();
  if (int64_t(v.width) * v.height > limits_.max_image_pixels)
    throw input_error("portrait", std::to_string(v.width) + "x" + std::to_string(v.height) +
                                      " is more pixels than this server takes (" + std::to_string(limits_.max_image_pixels) + ")");
  return Portrait::from_rgb(v, "portrait");
}

std::string JobService::submit(const std::map<std::string, FormPart>& form) {
  only_parts(form, {"audio", "portrait", "options"});
  const FormPart& audio = required(form, "audio");
  const FormPart& portrait = required(form, "portrait");
  auto job = std::make_shared<Job>();
  job->request = parse_generate_options(options_of(form), models_);
  {
    std::lock_guard lock(mutex_);
    if (closed_) throw Error(ExitCode::unavailable, "the server is shutting down");
    if (full_locked()) throw QueueFull();
  }
  job->id = random_id();
  job->dir = work_dir_ / "jobs" / job->id;
  fs::create_directories(job->dir);
  try {
    job->samples = load_audio_part(audio, job->dir);
    job->portrait = load_portrait(portrait, job->dir);
  } catch (...) {
    fs::remove_all(job->dir);
    throw;
  }
  std::lock_guard lock(mutex_);
  if (closed_ || full_locked()) {
    fs::remove_all(job->dir);
    if (closed_) throw Error(ExitCode::unavailable, "the server is shutting down");
    throw QueueFull();
  }
  expire_locked();
  jobs_[job->id] = job;
  queue_.push_back(job);
  wake_.notify_one();
  return job->id;
}

std::string JobService::au_now(const std::map<std::string, FormPart>& form, std::stop_token stop) {
  only_parts(form, {"audio", "options"});
  const FormPart& audio = required(form, "audio");
  GenerateRequest request = parse_generate_options(options_of(form), models_, true);
  const fs::path folder = scratch_folder();
  struct Remove {
    fs::path p;
    ~Remove() {
      std::error_code ec;
      fs::remove_all(p, ec);
    }
  } remove{folder};
  std::vector<float> samples = load_audio_part(audio, folder);
  RunHooks hooks;
  hooks.stop = std::move(stop);
  return au_to_json(generator(request.au_config)->generate(samples, request.au, hooks, "audio"));
}

std::shared_ptr<const AuGenerator> JobService::generator(const AuGeneratorConfig& c) {
  std::lock_guard lock(models_mutex_);
  auto& slot = generators_[generator_key(c)];
  if (!slot) slot = std::make_shared<const AuGenerator>(c);
  return slot;
}

std::shared_ptr<const Renderer> JobService::renderer(const RendererConfig& c) {
  std::lock_guard lock(models_mutex_);
  auto& slot = renderers_[renderer_key(c)];
  if (!slot) slot = std::make_shared<const Renderer>(c);
  return slot;
}

void JobService::work(std::stop_token stop) {
  for (;;) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock lock(mutex_);
      if (!wake_.wait(lock, stop, [&] { return !queue_.empty(); })) return;
      job = queue_.front();
      queue_.pop_front();
      job->state = "running";
      ++running_;
    }
    run(*job);
    std::lock_guard lock(mutex_);
    --running_;
    job->finished_at = Clock::now();
    wake_.notify_all();
  }
}

void JobService::run(Job& job) {
  const auto start = Clock::now();
  double base = 0, span = 0.1;  // Stage 1 is the first tenth of the progress, rendering the rest
  RunHooks hooks;
  hooks.stop = job.stop.get_token();
  hooks.progress = [&](const std::string&, int64_t done, int64_t total) {
    {
      std::lock_guard lock(mutex_);
      job.progress = std::min(1.0, base + span * double(done) / double(std::max<int64_t>(total, 1)));
    }
    if (std::chrono::duration<double>(Clock::now() - start).count() > limits_.job_seconds && !job.timed_out) {
      job.timed_out = true;
      job.stop.request_stop();
    }
  };
  std::string state = "done", error;
  int code = 0;
  try {
    AuSequence aus = generator(job.request.au_config)->generate(job.samples, job.request.au, hooks, "audio");
    job.samples = {};
    write_au_file(job.dir / "au.json", aus);
    base = 0.1, span = 0.9;
    renderer(job.request.render_config)
        ->render_file(aus, *job.portrait, {job.dir / "video.mp4", {}, job.dir / "audio.in"}, job.request.render, hooks);
  } catch (const Cancelled&) {
    state = job.timed_out ? "failed" : "cancelled";
    if (job.timed_out) {
      error = "the job ran past this server's time limit (" + std::to_string(int(limits_.job_seconds)) + " s)";
      code = int(ExitCode::unavailable);
    }
  } catch (const Error& e) {
    state = "failed", error = e.what(), code = int(e.code());
  } catch (const std::exception& e) {
    state = "failed", error = std::string("internal error: ") + e.what(), code = int(ExitCode::internal);
  }
  job.samples = {};
  job.portrait.reset();
  std::lock_guard lock(mutex_);
  job.state = state;
  job.error = error;
  job.code = code;
  if (state == "done") job.progress = 1;
  if (state != "done") {
    std::error_code ec;
    fs::remove_all(job.dir, ec);
    job.files = false;
  }
}

std::optional<JobStatus> JobService::status(const std::string& id) {
  std::lock_guard lock(mutex_);
  expire_locked();
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return std::nullopt;
  const Job& j = *it->second;
  JobStatus s{j.id, j.state, j.progress, j.error, j.code};
  s.video = j.state == "done" && j.files && !j.video_fetched;
  s.au = j.state == "done" && j.files && !j.au_fetched;
  return s;
}

std::optional<std::string> JobService::result(const std::string& id, const std::string& which) {
  std::lock_guard lock(mutex_);
  auto it = jobs_.find(id);
  if (it == jobs_.end() || it->second->state != "done" || !it->second->files) return std::nullopt;
  Job& j = *it->second;
  auto bytes = read_bytes(j.dir / (which == "video" ? "video.mp4" : "au.json"));
  if (!bytes) return std::nullopt;
  (which == "video" ? j.video_fetched : j.au_fetched) = true;
  if (j.video_fetched && j.au_fetched) {
    std::error_code ec;
    fs::remove_all(j.dir, ec);
    j.files = false;
  }
  return bytes;
}

bool JobService::cancel(const std::string& id) {
  std::lock_guard lock(mutex_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return false;
  Job& j = *it->second;
  std::error_code ec;
  if (j.state == "queued") {
    queue_.erase(std::remove(queue_.begin(), queue_.end(), it->second), queue_.end());
    j.state = "cancelled";
    j.finished_at = Clock::now();
    fs::remove_all(j.dir, ec);
    j.files = false;
  } else if (j.state == "running") {
    j.stop.request_stop();
  } else if (j.files) {
    fs::remove_all(j.dir, ec);
    j.files = false;
  }
  return true;
}

bool JobService::full_locked() const {
  return running_ + int(queue_.size()) >= std::max(1, limits_.workers) + limits_.queue;
}

void JobService::expire_locked() {
  const auto now = Clock::now();
  for (auto it = jobs_.begin(); it != jobs_.end();) {
    const Job& j = *it->second;
    const bool finished = j.state == "done" || j.state == "failed" || j.state == "cancelled";
    if (finished && std::chrono::duration<double>(now - j.finished_at).count() > limits_.keep_seconds) {
      std::error_code ec;
      fs::remove_all(j.dir, ec);
      it = jobs_.erase(it);
    } else {
      ++it;
    }
  }
}

int JobService::running() const {
  std::lock_guard lock(mutex_);
  return running_;
}

int JobService::queued() const {
  std::lock_guard lock(mutex_);
  return int(queue_.size());
}

void JobService::shutdown(double grace_seconds) {
  {
    std::unique_lock lock(mutex_);
    closed_ = true;
    for (auto& j : queue_) {
      j->state = "cancelled";
      j->finished_at = Clock::now();
    }
    queue_.clear();
    wake_.wait_for(lock, std::chrono::duration<double>(grace_seconds), [&] { return running_ == 0; });
    for (auto& [id, j] : jobs_)
      if (j->state == "running") j->stop.request_stop();
  }
  for (auto& w : workers_) w.request_stop();
  wake_.notify_all();
  workers_.clear();  // joins
  std::error_code ec;
  fs::remove_all(work_dir_, ec);
}

}  // namespace auhead::serve
