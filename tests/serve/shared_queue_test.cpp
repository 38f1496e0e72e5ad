// The Redis scale-out of `auhead serve` (apps/serve/redis_*): a local redis-server, a front end and
// `auhead serve --worker` processes. A worker killed mid-job (SIGKILL) loses its lease and the job is
// run again elsewhere; a worker stopped with SIGTERM gives its job back; every job completes exactly
// once; cancel, the queue limit and the command's usage errors. Skipped where redis-server is missing.
#include "serve/serve_client.h"

#include <algorithm>
#include <csignal>
#include <fcntl.h>
#include <set>
#include <spawn.h>
#include <sys/wait.h>

#include "cli/cli_test_util.h"
#include "serve/redis_client.h"

extern char** environ;

using namespace serve_test;
using auhead::serve::RedisAddress;
using auhead::serve::RedisClient;

namespace {

const char* kRedisServer = "/usr/bin/redis-server";

// A child process with its output in a log file; killed (SIGKILL) if still running at the end.
class Process {
 public:
  Process(std::vector<std::string> argv, const fs::path& log) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    if (posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
  }
  ~Process() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      wait();
    }
  }
  pid_t pid() const { return pid_; }
  void signal(int s) const { ::kill(pid_, s); }
  int wait() {  // exit status, or 128 + signal
    int status = 0;
    if (pid_ <= 0 || ::waitpid(pid_, &status, 0) != pid_) return -1;
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  pid_t pid_ = -1;
};

uint16_t free_port() {
  asio::io_context io;
  tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}

std::string read_text(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// redis-server on a free loopback port, without persistence, and a shared folder.
class Cluster {
 public:
  Cluster() : dir_("shared_queue") {
    port_ = free_port();
    redis_ = std::make_unique<Process>(
        std::vector<std::string>{kRedisServer, "--port", std::to_string(port_), "--bind", "127.0.0.1", "--save", "",
                                 "--appendonly", "no"},
        dir_ / "redis.log");
    for (int i = 0; i < 100 && !client_; ++i) {
      try {
        client_ = std::make_unique<RedisClient>(RedisAddress::parse(url()), 1);
      } catch (const auhead::Error&) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
    fs::create_directories(shared());
  }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }
  fs::path shared() const { return dir_ / "shared"; }
  fs::path path(const std::string& name) const { return dir_ / name; }
  RedisClient* redis() { return client_.get(); }

  auhead::serve::ServeOptions front_end(double visibility = 2) const {
    auhead::serve::ServeOptions o;
    o.limits.queue = 8;
    o.shared = auhead::serve::SharedQueueOptions{url(), shared(), visibility, 3};
    return o;
  }
  std::unique_ptr<Process> worker(const std::string& log, double visibility = 2,
                                  std::vector<std::string> extra = {}) const {
    std::vector<std::string> argv{AUHEAD_CLI_PATH, "serve", "--worker", "--queue", url(), "--shared-dir",
                                  shared().string(), "--visibility-seconds", std::to_string(visibility)};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return std::make_unique<Process>(argv, dir_ / log);
  }

 private:
  auhead::test::TempDir dir_;
  uint16_t port_ = 0;
  std::unique_ptr<Process> redis_;
  std::unique_ptr<RedisClient> client_;
};

// The pid inside the token of the worker that holds job `id` now (0: none).
pid_t holder(RedisClient& redis, const std::string& id) {
  const std::string token = redis.command({"GET", "auhead:lease:" + id}).text;  // host:pid:thread:attempt
  const auto a = token.find(':'), b = token.find(':', a + 1);
  if (a == std::string::npos || b == std::string::npos) return 0;
  return pid_t(std::stol(token.substr(a + 1, b - a - 1)));
}

// Jobs long enough to be caught mid-way: the example sentence with the fast front end, at 256² (about
// 1.5 s here) and at 512² (about 4 s).
const json kJob = {{"lipsync", "fast"}, {"size", 256}, {"emotion", "sad"}};
const json kLongJob = {{"lipsync", "fast"}, {"size", 512}, {"emotion", "sad"}};

}  // namespace

TEST(SharedQueue, AKilledWorkersJobRunsElsewhereAndEveryJobCompletesOnce) {
  if (!fs::exists(kRedisServer)) GTEST_SKIP() << "redis-server is not installed (scripts/setup.sh installs it)";
  Cluster c;
  ASSERT_NE(c.redis(), nullptr) << read_text(c.path("redis.log"));
  Server front(c.front_end());
  auto a = c.worker("a.log"), b = c.worker("b.log");

  const int n = 5;
  std::vector<std::string> ids;
  for (int i = 0; i < n; ++i) {
    Reply r = submit(front.port(), kJob);
    ASSERT_EQ(r.status, 202) << r.body;
    EXPECT_EQ(r.js()["state"], "queued");
    ids.push_back(r.js()["id"]);
  }
  // Both workers busy: SIGKILL the one holding the first running job, mid-job.
  pid_t victim = 0;
  std::string victim_job;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!victim && std::chrono::steady_clock::now() < until) {
    for (const auto& id : ids) {
      json j = request(front.port(), http::verb::get, "/v1/jobs/" + id).js();
      if (j["state"] == "running" && j["progress"].get<double>() > 0.1) {
        victim = holder(*c.redis(), id);
        victim_job = id;
        break;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(victim == a->pid() || victim == b->pid()) << "no job seen running";
  Process& killed = victim == a->pid() ? *a : *b;
  Process& survivor = victim == a->pid() ? *b : *a;
  killed.signal(SIGKILL);
  EXPECT_EQ(killed.wait(), 128 + SIGKILL);

  std::set<std::string> seen;
  int attempts = 0;
  for (const auto& id : ids) {
    json j = wait_done(front.port(), id, 180, false);
    ASSERT_EQ(j["state"], "done") << j.dump();
    attempts += j["attempts"].get<int>();
    EXPECT_EQ(j["attempts"].get<int>(), id == victim_job ? 2 : 1) << id;
    Reply video = request(front.port(), http::verb::get, "/v1/jobs/" + id + "/video");
    ASSERT_EQ(video.status, 200);
    EXPECT_EQ(video.type, "video/mp4");
    EXPECT_EQ(video.body.substr(4, 4), "ftyp");
    Reply au = request(front.port(), http::verb::get, "/v1/jobs/" + id + "/au");
    ASSERT_EQ(au.status, 200);
    EXPECT_GT(au.js()["frames"].size(), 100u);
    EXPECT_EQ(request(front.port(), http::verb::get, "/v1/jobs/" + id + "/video").status, 410);
    seen.insert(id);
  }
  EXPECT_EQ(attempts, n + 1);
  EXPECT_EQ(seen.size(), size_t(n));

  // Each job finished once: one "done" line per job in the workers' logs, none for the killed attempt.
  survivor.signal(SIGTERM);
  EXPECT_EQ(survivor.wait(), 0);
  const std::string logs = read_text(c.path("a.log")) + read_text(c.path("b.log"));
  for (const auto& id : ids) {
    size_t count = 0;
    for (size_t p = logs.find("job " + id + ": done"); p != std::string::npos; p = logs.find("job " + id + ": done", p + 1))
      ++count;
    EXPECT_EQ(count, 1u) << id << "\n" << logs;
  }
  // Every fetched job's folder is gone from the shared folder; Redis holds no queue.
  EXPECT_TRUE(fs::is_empty(c.shared() / "jobs"));
  EXPECT_EQ(c.redis()->command({"LLEN", "auhead:queue"}).number, 0);
  EXPECT_EQ(c.redis()->command({"LLEN", "auhead:running"}).number, 0);
}

TEST(SharedQueue, SigtermGivesTheJobBackAndCancelAndTheQueueLimitHold) {
  if (!fs::exists(kRedisServer)) GTEST_SKIP() << "redis-server is not installed (scripts/setup.sh installs it)";
  Cluster c;
  ASSERT_NE(c.redis(), nullptr) << read_text(c.path("redis.log"));
  auto options = c.front_end();
  options.limits.queue = 3;
  Server front(options);
  // No worker yet: three jobs wait, the fourth is refused, one is cancelled while queued.
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    Reply r = submit(front.port(), kLongJob);
    ASSERT_EQ(r.status, 202) << r.body;
    ids.push_back(r.js()["id"]);
  }
  Reply full = submit(front.port(), kJob);
  EXPECT_EQ(full.status, 429) << full.body;
  EXPECT_EQ(full.js()["error"], "queue_full") << full.body;
  json health = request(front.port(), http::verb::get, "/v1/health").js();
  EXPECT_EQ(health["jobs_queued"], 3);
  EXPECT_EQ(request(front.port(), http::verb::delete_, "/v1/jobs/" + ids[2]).js()["state"], "cancelled");
  EXPECT_FALSE(fs::exists(c.shared() / "jobs" / ids[2]));
  EXPECT_EQ(request(front.port(), http::verb::get, "/v1/jobs/../../etc").status, 404);

  // A worker that may not finish (--shutdown-seconds 0) is stopped mid-job: the job goes back, not
  // counted as an attempt, and the next worker runs it; a running job is cancelled through DELETE.
  auto a = c.worker("a.log", 2, {"--shutdown-seconds", "0"});
  json j;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < until) {
    j = request(front.port(), http::verb::get, "/v1/jobs/" + ids[0]).js();
    if (j["state"] == "running" && j["progress"].get<double>() > 0.1) break;  // Stage 1 is 0.1
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(j["state"], "running") << j.dump();
  a->signal(SIGTERM);
  EXPECT_EQ(a->wait(), 0);
  j = request(front.port(), http::verb::get, "/v1/jobs/" + ids[0]).js();
  EXPECT_EQ(j["state"], "queued") << j.dump();
  EXPECT_EQ(j["attempts"], 0) << j.dump();
  EXPECT_NE(read_text(c.path("a.log")).find("given back"), std::string::npos) << read_text(c.path("a.log"));

  auto b = c.worker("b.log");
  j = wait_done(front.port(), ids[0], 120);
  EXPECT_EQ(j["state"], "done") << j.dump();
  EXPECT_EQ(j["attempts"], 1);
  while (std::chrono::steady_clock::now() < until + std::chrono::seconds(60)) {
    j = request(front.port(), http::verb::get, "/v1/jobs/" + ids[1]).js();
    if (j["state"] != "queued") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(request(front.port(), http::verb::delete_, "/v1/jobs/" + ids[1]).status, 200);
  j = wait_done(front.port(), ids[1], 60);
  EXPECT_EQ(j["state"], "cancelled") << j.dump();
  for (int i = 0; i < 50 && fs::exists(c.shared() / "jobs" / ids[1]); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(fs::exists(c.shared() / "jobs" / ids[1]));  // the worker removed the cancelled job's files
  b->signal(SIGTERM);
  EXPECT_EQ(b->wait(), 0);
}

TEST(SharedQueue, TheCommandsUsageAndConnectionErrorsAreOneLine) {
  auhead::test::TempDir dir("shared_queue_cli");
  auto r = auhead::test::run_cli("serve --worker");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("--worker needs --queue"), std::string::npos) << r.output;
  r = auhead::test::run_cli("serve --queue redis://127.0.0.1:1");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("--shared-dir is needed"), std::string::npos) << r.output;
  r = auhead::test::run_cli("serve --queue http://x --shared-dir " + dir.path().string());
  EXPECT_EQ(r.code, 2) << r.output;
  r = auhead::test::run_cli("serve --worker --queue redis://127.0.0.1:1 --shared-dir " + dir.path().string());
  EXPECT_EQ(r.code, 5) << r.output;
  EXPECT_NE(r.output.find("redis 127.0.0.1:1"), std::string::npos) << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
}
