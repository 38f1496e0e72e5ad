#include "serve/redis_job_queue.h"

#include <algorithm>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace auhead::serve {

bool valid_job_id(const std::string& id) {
  return id.size() == 32 && id.find_first_not_of("0123456789abcdef") == std::string::npos;
}

fs::path shared_job_dir(const fs::path& shared_dir, const std::string& id) { return shared_dir / "jobs" / id; }

RedisJobQueue::RedisJobQueue(SharedQueueOptions options, JobRunner& runner)
    : options_(std::move(options)), runner_(runner), redis_(RedisAddress::parse(options_.url)), store_(redis_) {
  std::error_code ec;
  fs::create_directories(options_.shared_dir / "jobs", ec);
  if (ec || !fs::is_directory(options_.shared_dir / "jobs"))
    throw output_error(options_.shared_dir.string(), "cannot make the shared jobs folder");
}

std::string RedisJobQueue::submit(const std::map<std::string, FormPart>& form) {
  tidy();
  if (store_.queued() >= runner_.limits().queue) throw QueueFull();
  const std::string id = random_job_id();
  const fs::path dir = shared_job_dir(options_.shared_dir, id);
  fs::create_directories(dir);
  try {
    runner_.accept(form, dir);  // checked here; a worker decodes its copy again
    if (!store_.submit(id, runner_.limits().queue)) throw QueueFull();
  } catch (...) {
    std::error_code ec;
    fs::remove_all(dir, ec);
    throw;
  }
  return id;
}

std::optional<JobStatus> RedisJobQueue::status(const std::string& id) {
  if (!valid_job_id(id)) return std::nullopt;
  tidy();
  auto r = store_.get(id);
  if (!r) return std::nullopt;
  JobStatus s = r->status;
  const bool files = s.state == "done" && !r->result.empty() &&
                     fs::is_directory(shared_job_dir(options_.shared_dir, id) / r->result);
  s.video = files && !r->video_fetched;
  s.au = files && !r->au_fetched;
  return s;
}

std::optional<std::string> RedisJobQueue::result(const std::string& id, const std::string& which) {
  if (!valid_job_id(id)) return std::nullopt;
  auto r = store_.get(id);
  if (!r || r->status.state != "done" || r->result.empty()) return std::nullopt;
  if ((which == "video" && r->video_fetched) || (which == "au" && r->au_fetched)) return std::nullopt;
  const fs::path dir = shared_job_dir(options_.shared_dir, id);
  auto bytes = read_bytes(dir / r->result / (which == "video" ? "video.mp4" : "au.json"));
  if (!bytes) return std::nullopt;
  if (store_.fetched(id, which)) {
    std::error_code ec;
    for (int i = 0; i < 3 && fs::exists(dir, ec); ++i) fs::remove_all(dir, ec);  // a killed worker may still write
  }
  return bytes;
}

bool RedisJobQueue::cancel(const std::string& id) {
  if (!valid_job_id(id)) return false;
  const auto c = store_.cancel(id, runner_.limits().keep_seconds);
  if (c == RedisJobStore::Cancel::unknown) return false;
  if (c != RedisJobStore::Cancel::stopping) {  // queued or finished: nothing runs it, its files can go
    std::error_code ec;
    fs::remove_all(shared_job_dir(options_.shared_dir, id), ec);
  }
  return true;
}

int RedisJobQueue::running() { return store_.running(); }

int RedisJobQueue::queued() { return store_.queued(); }

void RedisJobQueue::tidy() {
  std::unique_lock lock(tidy_mutex_, std::try_to_lock);
  if (!lock) return;
  const auto now = Clock::now();
  if (now - last_reap_ > std::chrono::seconds(1)) {
    last_reap_ = now;
    store_.reap(options_.max_attempts, runner_.limits().keep_seconds);
  }
  if (now - last_sweep_ < std::chrono::seconds(30)) return;
  last_sweep_ = now;
  // A folder whose record is gone (expired, or a submit that died before queueing) and that has not
  // changed for a minute is removed.
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(options_.shared_dir / "jobs", ec)) {
    const std::string id = entry.path().filename().string();
    if (!valid_job_id(id) || store_.exists(id)) continue;
    const auto age = fs::file_time_type::clock::now() - fs::last_write_time(entry.path(), ec);
    if (!ec && age > std::chrono::minutes(1)) fs::remove_all(entry.path(), ec);
  }
}

}  // namespace auhead::serve
