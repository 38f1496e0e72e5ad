#include "serve/redis_job_store.h"

#include <cmath>
#include <cstdio>

namespace auhead::serve {

namespace {

const std::string kQueue = "auhead:queue", kRunning = "auhead:running";
std::string job_key(const std::string& id) { return "auhead:job:" + id; }
std::string lease_key(const std::string& id) { return "auhead:lease:" + id; }

std::string seconds(double s) { return std::to_string(std::max<long long>(1, std::llround(s))); }

std::string number(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.4f", v);
  return b;
}

const char* kSubmit = R"(
if redis.call('LLEN', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[2], 'state', 'queued', 'progress', '0', 'attempts', '0')
redis.call('LPUSH', KEYS[1], ARGV[2])
return 1)";

const char* kClaim = R"(
local id = redis.call('RPOPLPUSH', KEYS[1], KEYS[2])
if not id then return false end
redis.call('SET', 'auhead:lease:' .. id, ARGV[1], 'PX', ARGV[2])
redis.call('HSET', 'auhead:job:' .. id, 'state', 'running', 'progress', '0')
redis.call('HINCRBY', 'auhead:job:' .. id, 'attempts', 1)
return id)";

const char* kHeartbeat = R"(
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('HSET', KEYS[2], 'progress', ARGV[3])
if redis.call('HGET', KEYS[2], 'cancel') == '1' then return 1 end
return 0)";

// Idempotent: a retry after a lost reply finds its own result recorded.
const char* kFinish = R"(
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  if redis.call('HGET', KEYS[2], 'result') == ARGV[5] and ARGV[5] ~= '' then return 1 end
  return 0
end
redis.call('DEL', KEYS[1])
redis.call('LREM', KEYS[3], 0, ARGV[7])
redis.call('HSET', KEYS[2], 'state', ARGV[2], 'error', ARGV[3], 'code', ARGV[4], 'result', ARGV[5])
if ARGV[2] == 'done' then redis.call('HSET', KEYS[2], 'progress', '1') end
redis.call('EXPIRE', KEYS[2], ARGV[6])
return 1)";

const char* kGiveBack = R"(
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('LREM', KEYS[3], 0, ARGV[2])
redis.call('HINCRBY', KEYS[2], 'attempts', -1)
if redis.call('HGET', KEYS[2], 'cancel') == '1' then
  redis.call('HSET', KEYS[2], 'state', 'cancelled')
  redis.call('EXPIRE', KEYS[2], ARGV[3])
  return 2
end
redis.call('RPUSH', KEYS[4], ARGV[2])
redis.call('HSET', KEYS[2], 'state', 'queued', 'progress', '0')
return 1)";

const char* kReap = R"(
local n = 0
for _, id in ipairs(redis.call('LRANGE', KEYS[2], 0, -1)) do
  if redis.call('EXISTS', 'auhead:lease:' .. id) == 0 then
    redis.call('LREM', KEYS[2], 0, id)
    local job = 'auhead:job:' .. id
    if redis.call('EXISTS', job) == 1 then
      if redis.call('HGET', job, 'cancel') == '1' then
        redis.call('HSET', job, 'state', 'cancelled')
        redis.call('EXPIRE', job, ARGV[2])
      elseif tonumber(redis.call('HGET', job, 'attempts') or '0') >= tonumber(ARGV[1]) then
        redis.call('HSET', job, 'state', 'failed', 'code', ARGV[3], 'error',
                   'the workers running this job stopped ' .. ARGV[1] .. ' times without finishing it')
        redis.call('EXPIRE', job, ARGV[2])
      else
        redis.call('HSET', job, 'state', 'queued', 'progress', '0')
        redis.call('RPUSH', KEYS[1], id)
      end
    end
    n = n + 1
  end
end
return n)";

const char* kCancel = R"(
if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
local state = redis.call('HGET', KEYS[2], 'state')
if state == 'queued' then
  redis.call('LREM', KEYS[1], 0, ARGV[1])
  redis.call('HSET', KEYS[2], 'state', 'cancelled')
  redis.call('EXPIRE', KEYS[2], ARGV[2])
  return 1
end
if state == 'running' then
  redis.call('HSET', KEYS[2], 'cancel', '1')
  return 2
end
return 3)";

const char* kFetched = R"(
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1] .. '_fetched', '1')
if redis.call('HGET', KEYS[1], 'video_fetched') == '1' and redis.call('HGET', KEYS[1], 'au_fetched') == '1' then return 2 end
return 1)";

}  // namespace

bool RedisJobStore::submit(const std::string& id, int queue_limit) {
  return redis_.eval(kSubmit, {kQueue, job_key(id)}, {std::to_string(queue_limit), id}).number == 1;
}

std::optional<std::string> RedisJobStore::claim(const std::string& token, long long lease_ms) {
  RedisValue v = redis_.eval(kClaim, {kQueue, kRunning}, {token, std::to_string(lease_ms)});
  if (v.type != RedisValue::string) return std::nullopt;
  return v.text;
}

RedisJobStore::Beat RedisJobStore::heartbeat(const std::string& id, const std::string& token, long long lease_ms,
                                             double progress) {
  const long long r =
      redis_.eval(kHeartbeat, {lease_key(id), job_key(id)}, {token, std::to_string(lease_ms), number(progress)}).number;
  return r < 0 ? Beat::lost : r == 1 ? Beat::cancel : Beat::ok;
}

bool RedisJobStore::finish(const std::string& id, const std::string& token, const JobOutcome& o,
                           const std::string& result, double keep_seconds) {
  return redis_
             .eval(kFinish, {lease_key(id), job_key(id), kRunning},
                   {token, o.state, o.error, std::to_string(o.code), result, seconds(keep_seconds), id})
             .number == 1;
}

bool RedisJobStore::give_back(const std::string& id, const std::string& token, double keep_seconds) {
  return redis_.eval(kGiveBack, {lease_key(id), job_key(id), kRunning, kQueue}, {token, id, seconds(keep_seconds)})
             .number == 1;
}

int RedisJobStore::reap(int max_attempts, double keep_seconds) {
  return int(redis_
                 .eval(kReap, {kQueue, kRunning},
                       {std::to_string(max_attempts), seconds(keep_seconds), std::to_string(int(ExitCode::unavailable))})
                 .number);
}

RedisJobStore::Cancel RedisJobStore::cancel(const std::string& id, double keep_seconds) {
  switch (redis_.eval(kCancel, {kQueue, job_key(id)}, {id, seconds(keep_seconds)}).number) {
    case 1: return Cancel::was_queued;
    case 2: return Cancel::stopping;
    case 3: return Cancel::finished;
    default: return Cancel::unknown;
  }
}

std::optional<RedisJobStore::Record> RedisJobStore::get(const std::string& id) {
  RedisValue v = redis_.command({"HGETALL", job_key(id)});
  if (v.items.empty()) return std::nullopt;
  Record r;
  r.status.id = id;
  for (size_t i = 0; i + 1 < v.items.size(); i += 2) {
    const std::string& k = v.items[i].text;
    const std::string& x = v.items[i + 1].text;
    try {
      if (k == "state") r.status.state = x;
      else if (k == "progress") r.status.progress = std::clamp(std::stod(x), 0.0, 1.0);
      else if (k == "error") r.status.error = x;
      else if (k == "code") r.status.code = std::stoi(x);
      else if (k == "attempts") r.status.attempts = std::stoi(x);
      else if (k == "result") r.result = x;
      else if (k == "video_fetched") r.video_fetched = x == "1";
      else if (k == "au_fetched") r.au_fetched = x == "1";
    } catch (const std::exception&) {
      throw Error(ExitCode::unavailable, "redis " + redis_.address().name() + ": job " + id + " has a malformed '" + k + "'");
    }
  }
  return r;
}

bool RedisJobStore::fetched(const std::string& id, const std::string& which) {
  return redis_.eval(kFetched, {job_key(id)}, {which}).number == 2;
}

bool RedisJobStore::exists(const std::string& id) { return redis_.command({"EXISTS", job_key(id)}).number == 1; }

int RedisJobStore::queued() { return int(redis_.command({"LLEN", kQueue}).number); }

int RedisJobStore::running() { return int(redis_.command({"LLEN", kRunning}).number); }

}  // namespace auhead::serve
