// A Redis connection for the shared job queue (hiredis, synchronous): commands and Lua scripts from
// any thread, one at a time, with connect and reply timeouts; a lost connection is reopened on the
// next command. Every failure is one line: Error(unavailable, "redis HOST:PORT: ...").
#pragma once
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace auhead::serve {

struct RedisValue {
  enum Type { nil, integer, string, array, status } type = nil;
  long long number = 0;
  std::string text;               // string and status replies
  std::vector<RedisValue> items;  // array replies
};

// redis://[:PASSWORD@]HOST[:PORT][/DB]; PORT 6379 and DB 0 by default.
struct RedisAddress {
  std::string host;
  int port = 6379;
  int db = 0;
  std::string password;
  static RedisAddress parse(const std::string& url);  // usage error naming the URL when malformed
  std::string name() const { return host + ":" + std::to_string(port); }
};

class RedisClient {
 public:
  explicit RedisClient(RedisAddress address, double timeout_seconds = 5);  // connects (or throws)
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  RedisValue command(const std::vector<std::string>& args);
  RedisValue eval(const std::string& script, const std::vector<std::string>& keys, const std::vector<std::string>& args);
  const RedisAddress& address() const { return address_; }

 private:
  struct Context;
  void connect();
  RedisValue run(const std::vector<std::string>& args);

  RedisAddress address_;
  double timeout_;
  std::mutex mutex_;
  std::unique_ptr<Context> context_;
};

}  // namespace auhead::serve
