// The client side of the tests of `auhead serve` (serve_test.cpp, shared_queue_test.cpp): requests,
// multipart bodies, job submission and polling, and a server on an ephemeral loopback port.
#pragma once
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "build_config.h"
#include "serve/http_client.h"
#include "serve/http_server.h"
#include "serve/multipart_form.h"
#include "test_util.h"

namespace serve_test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using nlohmann::json;
namespace fs = std::filesystem;

inline std::string file_bytes(const std::string& name) {
  std::ifstream in(std::string(AUHEAD_SOURCE_DIR) + "/examples/" + name, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A server on 127.0.0.1:<any free port>, run on its own thread.
class Server {
 public:
  explicit Server(auhead::serve::ServeOptions o = {}) : dir_("serve") {
    o.port = 0;
    o.work_dir = dir_.path() / "work";
    work_ = o.work_dir;
    server_ = std::make_unique<auhead::serve::HttpServer>(o);
    port_ = server_->port();
    thread_ = std::thread([this] { server_->run(); });
  }
  ~Server() { stop(); }
  void stop() {
    if (thread_.joinable()) {
      server_->stop();
      thread_.join();
    }
  }
  uint16_t port() const { return port_; }
  const fs::path& work() const { return work_; }

 private:
  auhead::test::TempDir dir_;
  fs::path work_;
  std::unique_ptr<auhead::serve::HttpServer> server_;
  uint16_t port_ = 0;
  std::thread thread_;
};

struct Reply : auhead::serve::HttpReply {
  json js() const { return json::parse(body, nullptr, false); }
};

inline Reply request(uint16_t port, http::verb verb, const std::string& target, const std::string& body = "",
                     const std::string& type = "") {
  return {auhead::serve::http_request(port, verb, target, body, type, 256u << 20)};
}

struct Part {
  std::string name, filename, type, data;
};

inline std::string multipart(const std::vector<Part>& parts, const std::string& boundary = "auheadTestBoundary7") {
  std::vector<std::pair<std::string, auhead::serve::FormPart>> form;
  for (const auto& p : parts) form.push_back({p.name, {p.filename, p.type, p.data}});
  return auhead::serve::write_multipart_form(form, boundary);
}

inline const std::string kForm = "multipart/form-data; boundary=auheadTestBoundary7";

inline Reply submit(uint16_t port, const json& options, const std::string& audio = file_bytes("speech.wav"),
             const std::string& audio_name = "speech.wav") {
  return request(port, http::verb::post, "/v1/jobs",
                 multipart({{"audio", audio_name, "audio/wav", audio},
                            {"portrait", "portrait.jpg", "image/jpeg", file_bytes("portrait.jpg")},
                            {"options", "", "application/json", options.dump()}}),
                 kForm);
}

// Polls until the job ends; progress may only go back when `monotonic` is false (a shared queue
// restarts a job whose worker died).
inline json wait_done(uint16_t port, const std::string& id, double seconds = 120, bool monotonic = true) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  json j;
  double last = 0;
  while (std::chrono::steady_clock::now() < until) {
    j = request(port, http::verb::get, "/v1/jobs/" + id).js();
    if (monotonic) {
      EXPECT_GE(j["progress"].get<double>(), last);
    }
    last = j["progress"].get<double>();
    if (j["state"] != "queued" && j["state"] != "running") return j;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return j;
}

inline const json kFast = {{"lipsync", "fast"}, {"size", 128}, {"emotion", "happy"}};

}  // namespace serve_test
