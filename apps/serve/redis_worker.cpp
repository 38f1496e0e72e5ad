#include "serve/redis_worker.h"

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <poll.h>
#include <unistd.h>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace auhead::serve {

RedisWorker::RedisWorker(SharedQueueOptions options, JobRunner& runner, std::function<void(const std::string&)> log)
    : options_(std::move(options)), runner_(runner), log_(std::move(log)) {
  RedisClient probe(RedisAddress::parse(options_.url));  // fails now, not in every thread
  probe.command({"PING"});
  if (!fs::is_directory(options_.shared_dir / "jobs"))
    throw input_error(options_.shared_dir.string(), "not a shared folder of a front end (no jobs/ inside)");
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  host_ = host;
  if (::pipe(wake_) != 0) throw Error(ExitCode::internal, "worker: cannot make a pipe");
}

RedisWorker::~RedisWorker() {
  ::close(wake_[0]);
  ::close(wake_[1]);
}

void RedisWorker::say(const std::string& line) {
  if (!log_) return;
  std::lock_guard lock(log_mutex_);
  log_(line);
}

void RedisWorker::stop() {
  const char b = 1;
  [[maybe_unused]] auto n = ::write(wake_[1], &b, 1);
}

void RedisWorker::run(double grace_seconds) {
  std::vector<std::jthread> threads;
  for (int i = 0; i < std::max(1, runner_.limits().workers); ++i) threads.emplace_back([this, i] { loop(i); });
  pollfd fd{wake_[0], POLLIN, 0};
  while (::poll(&fd, 1, 500) <= 0 || !(fd.revents & POLLIN)) {
  }
  draining_ = true;
  say("stopping: no new jobs; running ones have " + std::to_string(int(grace_seconds)) + " s");
  const auto until = Clock::now() + std::chrono::duration<double>(grace_seconds);
  while (busy_ > 0 && Clock::now() < until) std::this_thread::sleep_for(50ms);
  abort_ = true;
  threads.clear();  // joins
}

void RedisWorker::loop(int index) {
  std::unique_ptr<RedisClient> redis;
  const std::string token = host_ + ":" + std::to_string(::getpid()) + ":" + std::to_string(index);
  auto last_reap = Clock::now() - 1h;
  while (!draining_) {
    try {
      if (!redis) redis = std::make_unique<RedisClient>(RedisAddress::parse(options_.url));
      RedisJobStore store(*redis);
      if (Clock::now() - last_reap > 1s) {
        last_reap = Clock::now();
        if (int n = store.reap(options_.max_attempts, runner_.limits().keep_seconds))
          say(std::to_string(n) + " job(s) of a stopped worker back in the queue");
      }
      const std::string attempt = token + ":" + random_job_id().substr(0, 8);
      auto id = store.claim(attempt, lease_ms());
      if (!id) {
        std::this_thread::sleep_for(100ms);
        continue;
      }
      ++busy_;
      struct Idle {
        std::atomic<int>& n;
        ~Idle() { --n; }
      } idle{busy_};
      execute(*redis, *id, attempt);
    } catch (const Error& e) {
      say(e.what());
      redis.reset();
      for (int i = 0; i < 10 && !draining_; ++i) std::this_thread::sleep_for(100ms);
    }
  }
}

void RedisWorker::execute(RedisClient& redis, const std::string& id, const std::string& token) {
  RedisJobStore store(redis);
  const fs::path dir = shared_job_dir(options_.shared_dir, id);
  std::string result = "result-" + random_job_id().substr(0, 12);
  const fs::path out = dir / result;
  std::stop_source stop;
  std::atomic<double> progress{0};
  std::atomic<bool> lost{false}, aborted{false};
  say("job " + id + ": started");
  // The heartbeat: renews the lease, stores progress, hears cancel requests and the worker's abort.
  std::mutex m;
  std::condition_variable cv;
  bool done = false;
  std::thread beat([&] {
    RedisJobStore beat_store(redis);
    // The lease is renewed every third of the visibility timeout, the progress at least twice a second.
    const auto period = std::chrono::duration<double>(std::min(options_.visibility_seconds / 3, 0.5));
    auto last = Clock::now();
    std::unique_lock lock(m);
    while (!cv.wait_for(lock, 100ms, [&] { return done; })) {
      if (abort_ && !aborted) aborted = true, stop.request_stop();
      if (Clock::now() - last < period) continue;
      last = Clock::now();
      lock.unlock();
      try {
        switch (beat_store.heartbeat(id, token, lease_ms(), progress)) {
          case RedisJobStore::Beat::lost: lost = true, stop.request_stop(); break;
          case RedisJobStore::Beat::cancel: stop.request_stop(); break;
          default: break;
        }
      } catch (const Error& e) {
        say(e.what());  // a short outage: the lease may survive it; if not, finish() will say so
      }
      lock.lock();
    }
  });
  JobOutcome outcome;
  try {
    fs::create_directories(out);
    JobInputs inputs = runner_.reload(dir);
    outcome = runner_.run(inputs, out, dir / "audio.in", stop, [&](double p) { progress = p; });
  } catch (const Error& e) {
    outcome = {"failed", e.what(), int(e.code())};
  } catch (const std::exception& e) {
    outcome = {"failed", std::string("internal error: ") + e.what(), int(ExitCode::internal)};
  }
  {
    std::lock_guard lock(m);
    done = true;
  }
  cv.notify_all();
  beat.join();
  std::error_code ec;
  if (aborted && outcome.state == "cancelled") {
    fs::remove_all(out, ec);
    if (store.give_back(id, token, runner_.limits().keep_seconds)) say("job " + id + ": given back to the queue");
    return;
  }
  if (lost) {
    fs::remove_all(out, ec);
    say("job " + id + ": lease lost (another worker has it); result dropped");
    return;
  }
  if (outcome.state != "done") result.clear();
  if (!store.finish(id, token, outcome, result, runner_.limits().keep_seconds)) {
    fs::remove_all(out, ec);
    say("job " + id + ": lease lost before finishing; result dropped");
    return;
  }
  // A done job's folder stays whole until its results are fetched (the front end removes it then);
  // a failed or cancelled one has nothing to fetch.
  if (outcome.state != "done") fs::remove_all(dir, ec);
  say("job " + id + ": " + outcome.state + (outcome.error.empty() ? "" : ": " + outcome.error));
}

}  // namespace auhead::serve
