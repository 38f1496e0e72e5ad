#include "serve/job_service.h"

#include <algorithm>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace auhead::serve {

struct JobService::Job {
  std::string id;
  fs::path dir;
  JobInputs inputs;
  std::string state = "queued";
  double progress = 0;
  JobOutcome outcome;
  std::stop_source stop;
  bool video_fetched = false, au_fetched = false, files = true;
  Clock::time_point finished_at;
};

JobService::JobService(fs::path jobs_dir, JobRunner& runner)
    : jobs_dir_(std::move(jobs_dir)), runner_(runner), limits_(runner.limits()) {
  fs::create_directories(jobs_dir_);
  for (int i = 0; i < std::max(1, limits_.workers); ++i)
    workers_.emplace_back([this](std::stop_token stop) { work(stop); });
}

JobService::~JobService() { shutdown(0); }

std::string JobService::submit(const std::map<std::string, FormPart>& form) {
  {
    std::lock_guard lock(mutex_);
    if (closed_) throw Error(ExitCode::unavailable, "the server is shutting down");
    if (full_locked()) throw QueueFull();
  }
  auto job = std::make_shared<Job>();
  job->id = random_job_id();
  job->dir = jobs_dir_ / job->id;
  fs::create_directories(job->dir);
  try {
    job->inputs = runner_.accept(form, job->dir);
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
    JobOutcome outcome = runner_.run(job->inputs, job->dir, job->dir / "audio.in", job->stop, [&](double p) {
      std::lock_guard lock(mutex_);
      job->progress = p;
    });
    std::lock_guard lock(mutex_);
    job->state = outcome.state;
    job->outcome = std::move(outcome);
    if (job->state != "done") {
      std::error_code ec;
      fs::remove_all(job->dir, ec);
      job->files = false;
    }
    --running_;
    job->finished_at = Clock::now();
    wake_.notify_all();
  }
}

std::optional<JobStatus> JobService::status(const std::string& id) {
  std::lock_guard lock(mutex_);
  expire_locked();
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return std::nullopt;
  const Job& j = *it->second;
  JobStatus s{j.id, j.state, j.progress, j.outcome.error, j.outcome.code, j.state == "queued" ? 0 : 1};
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

int JobService::running() {
  std::lock_guard lock(mutex_);
  return running_;
}

int JobService::queued() {
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
  fs::remove_all(jobs_dir_, ec);
}

}  // namespace auhead::serve
