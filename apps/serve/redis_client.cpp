#include "serve/redis_client.h"

#include <cmath>
#include <hiredis/hiredis.h>

#include "auhead/error.h"

namespace auhead::serve {

namespace {

timeval to_timeval(double seconds) {
  timeval tv{};
  tv.tv_sec = time_t(seconds);
  tv.tv_usec = suseconds_t((seconds - double(tv.tv_sec)) * 1e6);
  return tv;
}

RedisValue convert(const redisReply* r) {
  RedisValue v;
  switch (r->type) {
    case REDIS_REPLY_INTEGER: v.type = RedisValue::integer, v.number = r->integer; break;
    case REDIS_REPLY_STRING: v.type = RedisValue::string, v.text.assign(r->str, r->len); break;
    case REDIS_REPLY_STATUS: v.type = RedisValue::status, v.text.assign(r->str, r->len); break;
    case REDIS_REPLY_ARRAY:
      v.type = RedisValue::array;
      for (size_t i = 0; i < r->elements; ++i) v.items.push_back(convert(r->element[i]));
      break;
    default: break;  // nil
  }
  return v;
}

}  // namespace

RedisAddress RedisAddress::parse(const std::string& url) {
  auto bad = [&](const std::string& why) { return usage_error("--queue: '" + url + "': " + why); };
  const std::string scheme = "redis://";
  if (url.rfind(scheme, 0) != 0) throw bad("expected redis://HOST:PORT");
  std::string rest = url.substr(scheme.size());
  RedisAddress a;
  if (auto at = rest.rfind('@'); at != std::string::npos) {
    std::string auth = rest.substr(0, at);
    rest = rest.substr(at + 1);
    a.password = auth.rfind(':', 0) == 0 ? auth.substr(1) : auth;
  }
  auto number = [&](const std::string& s, int lo, int hi, const char* what) {
    if (s.empty() || s.size() > 6 || s.find_first_not_of("0123456789") != std::string::npos) throw bad(std::string("bad ") + what);
    const int n = std::stoi(s);
    if (n < lo || n > hi) throw bad(std::string(what) + " out of range");
    return n;
  };
  if (auto slash = rest.find('/'); slash != std::string::npos) {
    a.db = number(rest.substr(slash + 1), 0, 65535, "database number");
    rest = rest.substr(0, slash);
  }
  if (auto colon = rest.rfind(':'); colon != std::string::npos && rest.find(']') == std::string::npos) {
    a.port = number(rest.substr(colon + 1), 1, 65535, "port");
    rest = rest.substr(0, colon);
  }
  if (rest.empty()) throw bad("no host");
  a.host = rest;
  return a;
}

struct RedisClient::Context {
  redisContext* c = nullptr;
  ~Context() {
    if (c) redisFree(c);
  }
};

RedisClient::RedisClient(RedisAddress address, double timeout_seconds)
    : address_(std::move(address)), timeout_(timeout_seconds) {
  std::lock_guard lock(mutex_);
  connect();
}

RedisClient::~RedisClient() = default;

void RedisClient::connect() {
  context_.reset();
  auto ctx = std::make_unique<Context>();
  ctx->c = redisConnectWithTimeout(address_.host.c_str(), address_.port, to_timeval(timeout_));
  if (!ctx->c) throw Error(ExitCode::unavailable, "redis " + address_.name() + ": cannot allocate a connection");
  if (ctx->c->err) throw Error(ExitCode::unavailable, "redis " + address_.name() + ": " + ctx->c->errstr);
  redisSetTimeout(ctx->c, to_timeval(timeout_));
  context_ = std::move(ctx);
  if (!address_.password.empty()) run({"AUTH", address_.password});
  if (address_.db != 0) run({"SELECT", std::to_string(address_.db)});
}

RedisValue RedisClient::run(const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  for (const auto& a : args) argv.push_back(a.data()), lengths.push_back(a.size());
  auto* reply = static_cast<redisReply*>(redisCommandArgv(context_->c, int(args.size()), argv.data(), lengths.data()));
  if (!reply) {
    const std::string why = context_->c->errstr[0] ? context_->c->errstr : "connection lost";
    context_.reset();  // reopened by the next command
    throw Error(ExitCode::unavailable, "redis " + address_.name() + ": " + why);
  }
  struct Free {
    redisReply* r;
    ~Free() { freeReplyObject(r); }
  } free{reply};
  if (reply->type == REDIS_REPLY_ERROR)
    throw Error(ExitCode::unavailable, "redis " + address_.name() + ": " + std::string(reply->str, reply->len));
  return convert(reply);
}

RedisValue RedisClient::command(const std::vector<std::string>& args) {
  std::lock_guard lock(mutex_);
  if (!context_) connect();
  return run(args);
}

RedisValue RedisClient::eval(const std::string& script, const std::vector<std::string>& keys,
                             const std::vector<std::string>& args) {
  std::vector<std::string> a{"EVAL", script, std::to_string(keys.size())};
  a.insert(a.end(), keys.begin(), keys.end());
  a.insert(a.end(), args.begin(), args.end());
  return command(a);
}

}  // namespace auhead::serve
