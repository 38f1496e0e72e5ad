#include "serve/http_server.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <utility>  // before Boost 1.74's asio, whose awaitable.hpp uses std::exchange without it

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <condition_variable>
#include <sstream>
#include <cmath>
#include <cstring>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "auhead/stream.h"
#include "core/data_path.h"
#include "serve/job_service.h"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using nlohmann::json;
namespace fs = std::filesystem;

namespace auhead::serve {

namespace {

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

const char* code_name(ExitCode c) {
  switch (c) {
    case ExitCode::usage: return "usage";
    case ExitCode::bad_input: return "bad_input";
    case ExitCode::output: return "output";
    case ExitCode::unavailable: return "unavailable";
    case ExitCode::cancelled: return "cancelled";
    case ExitCode::internal: return "internal";
    case ExitCode::ok: return "ok";
  }
  return "internal";
}

http::status status_of(ExitCode c) {
  switch (c) {
    case ExitCode::usage: return http::status::bad_request;
    case ExitCode::bad_input: return http::status::unprocessable_entity;
    case ExitCode::unavailable: return http::status::service_unavailable;
    default: return http::status::internal_server_error;
  }
}

json error_json(const std::string& error, int code, const std::string& message) {
  return {{"error", error}, {"code", code}, {"message", message}};
}

Response reply(const Request& req, http::status status, const std::string& body,
               const std::string& type = "application/json") {
  Response res{status, req.version()};
  res.set(http::field::server, "auhead");
  res.set(http::field::content_type, type);
  res.keep_alive(req.keep_alive());
  res.body() = body;
  res.prepare_payload();
  return res;
}

Response reply_json(const Request& req, http::status status, const json& j) { return reply(req, status, j.dump()); }

Response error_reply(const Request& req, http::status status, const std::string& error, const std::string& message) {
  return reply_json(req, status, error_json(error, 0, message));
}

Response error_reply(const Request& req, const Error& e) {
  if (dynamic_cast<const QueueFull*>(&e))
    return reply_json(req, http::status::too_many_requests, error_json("queue_full", int(e.code()), e.what()));
  return reply_json(req, status_of(e.code()), error_json(code_name(e.code()), int(e.code()), e.what()));
}

json job_json(const JobStatus& s) {
  json j = {{"id", s.id}, {"state", s.state}, {"progress", std::round(s.progress * 1000) / 1000}};
  j["error"] = s.error.empty() ? json(nullptr) : json(s.error);
  if (s.code) j["code"] = s.code;
  j["attempts"] = s.attempts;
  if (s.state == "done") j["results"] = {{"video", s.video}, {"au", s.au}};
  return j;
}

// A private folder for one request's files, removed when it goes out of scope.
struct Scratch {
  fs::path path;
  explicit Scratch(fs::path p) : path(std::move(p)) {}
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

void set_timeouts(int fd, double seconds) {
  timeval tv{};
  tv.tv_sec = time_t(seconds);
  tv.tv_usec = suseconds_t((seconds - double(tv.tv_sec)) * 1e6);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

}  // namespace

struct HttpServer::Impl {
  ServeOptions options;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  JobRunner runner;
  std::unique_ptr<JobQueue> jobs;
  int wake[2] = {-1, -1};
  std::atomic<bool> stopping{false};
  std::mutex conn_mutex;
  std::condition_variable conn_done;
  std::set<int> open_fds;
  int connections = 0;
  std::atomic<int> streams{0};
  std::atomic<uint64_t> next_scratch{0};

  explicit Impl(ServeOptions o)
      : options(std::move(o)), runner(options.limits, options.models) {
    if (options.shared)
      jobs = std::make_unique<RedisJobQueue>(*options.shared, runner);
    else
      jobs = std::make_unique<JobService>(options.work_dir / "jobs", runner);
    if (::pipe(wake) != 0) throw Error(ExitCode::internal, "serve: cannot make a pipe");
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(options.host, ec);
    if (ec) throw usage_error("--host: '" + options.host + "' is not an IP address");
    const tcp::endpoint endpoint(address, options.port);
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
      throw Error(ExitCode::unavailable, "serve: cannot listen on " + options.host + ":" + std::to_string(options.port) +
                                             ": " + ec.message());
    acceptor.non_blocking(true);
  }

  ~Impl() {
    ::close(wake[0]);
    ::close(wake[1]);
  }

  void run() {
    for (;;) {
      pollfd fds[2] = {{acceptor.native_handle(), POLLIN, 0}, {wake[0], POLLIN, 0}};
      ::poll(fds, 2, 500);
      if (fds[1].revents || stopping) break;
      boost::system::error_code ec;
      tcp::socket socket(io);
      acceptor.accept(socket, ec);
      if (ec) continue;  // would block, or a connection that went away
      std::unique_lock lock(conn_mutex);
      if (connections >= options.max_connections) {
        lock.unlock();
        refuse(std::move(socket));
        continue;
      }
      ++connections;
      open_fds.insert(socket.native_handle());
      lock.unlock();
      std::thread([this, s = std::move(socket)]() mutable { connection(std::move(s)); }).detach();
    }
    shutdown();
  }

  fs::path scratch_folder() {
    fs::path dir = options.work_dir / "scratch" / (random_job_id() + std::to_string(next_scratch.fetch_add(1)));
    fs::create_directories(dir);
    return dir;
  }

  // Too many connections: a 503 without reading the request.
  void refuse(tcp::socket socket) {
    boost::system::error_code ec;
    socket.non_blocking(false, ec);
    set_timeouts(socket.native_handle(), 2);
    Request req;
    req.version(11);
    req.keep_alive(false);
    Response res = error_reply(req, http::status::service_unavailable, "unavailable", "too many connections");
    http::write(socket, res, ec);
    socket.shutdown(tcp::socket::shutdown_both, ec);
  }

  void shutdown() {
    stopping = true;
    boost::system::error_code ec;
    acceptor.close(ec);
    jobs->shutdown(options.shutdown_seconds);
    std::unique_lock lock(conn_mutex);
    for (int fd : open_fds) ::shutdown(fd, SHUT_RDWR);  // ends blocked reads in connection threads
    conn_done.wait_for(lock, std::chrono::seconds(5), [&] { return connections == 0; });
    std::error_code fec;
    fs::remove_all(options.work_dir, fec);
  }

  void connection(tcp::socket socket) {
    const int fd = socket.native_handle();
    try {
      boost::system::error_code ec;
      socket.non_blocking(false, ec);
      set_timeouts(fd, options.idle_seconds);
      beast::flat_buffer buffer;
      for (;;) {
        http::request_parser<http::string_body> parser;
        parser.header_limit(16 * 1024);
        parser.body_limit(uint64_t(options.max_upload_bytes));
        http::read(socket, buffer, parser, ec);
        if (ec == http::error::body_limit) {
          Request req;
          req.version(11);
          req.keep_alive(false);
          Response res = error_reply(req, http::status::payload_too_large, "too_large",
                                     "the body is larger than this server takes (" +
                                         std::to_string(options.max_upload_bytes) + " bytes)");
          http::write(socket, res, ec);
          linger(socket);
          break;
        }
        if (ec) {
          if (ec != http::error::end_of_stream && ec != asio::error::eof && ec != asio::error::connection_reset &&
              ec != asio::error::would_block && ec != asio::error::timed_out && ec != asio::error::try_again &&
              !stopping) {
            Request req;
            req.version(11);
            req.keep_alive(false);
            Response res = error_reply(req, http::status::bad_request, "usage", "malformed HTTP request: " + ec.message());
            http::write(socket, res, ec);
          }
          break;
        }
        Request req = parser.release();
        if (websocket::is_upgrade(req)) {
          if (req.target() == "/v1/stream")
            stream(socket, req);
          else
            http::write(socket, error_reply(req, http::status::not_found, "not_found", "no WebSocket here"), ec);
          break;
        }
        Response res = handle(req);
        if (stopping) res.keep_alive(false);
        http::write(socket, res, ec);
        if (ec || !res.keep_alive()) break;
      }
      socket.shutdown(tcp::socket::shutdown_both, ec);
    } catch (const std::exception&) {
      // A broken connection: nothing to answer to.
    }
    std::lock_guard lock(conn_mutex);
    open_fds.erase(fd);
    --connections;
    conn_done.notify_all();
  }

  // After an early answer (413): stop sending, then read and drop what the client is still sending
  // for up to a second, so that closing does not reset the connection before it read the answer.
  static void linger(tcp::socket& socket) {
    boost::system::error_code ec;
    socket.shutdown(tcp::socket::shutdown_send, ec);
    set_timeouts(socket.native_handle(), 1);
    char sink[65536];
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    while (!ec && std::chrono::steady_clock::now() < until) socket.read_some(asio::buffer(sink), ec);
  }

  Response handle(const Request& req) {
    try {
      return route(req);
    } catch (const Error& e) {
      return error_reply(req, e);
    } catch (const std::exception& e) {
      return reply_json(req, http::status::internal_server_error,
                        error_json("internal", int(ExitCode::internal), std::string("internal error: ") + e.what()));
    }
  }

  std::map<std::string, FormPart> form(const Request& req) {
    const auto type = req[http::field::content_type];
    if (type.substr(0, 19) != "multipart/form-data")
      throw Error(ExitCode::usage, "unsupported content type");
    return parse_multipart_form(std::string(type), req.body());
  }

  Response route(const Request& req) {
    const std::string target(req.target().substr(0, req.target().find('?')));
    const auto method = req.method();
    auto only = [&](http::verb v) {
      return method == v ? std::optional<Response>{}
                         : std::optional<Response>{error_reply(req, http::status::method_not_allowed, "method",
                                                               "method not allowed on " + target)};
    };
    auto multipart = [&]() -> std::optional<Response> {
      if (req[http::field::content_type].substr(0, 19) != "multipart/form-data")
        return error_reply(req, http::status::unsupported_media_type, "content_type",
                           "send multipart/form-data (parts: audio, portrait, options)");
      return std::nullopt;
    };
    if (target == "/v1/health") {
      if (auto r = only(http::verb::get)) return *r;
      return reply_json(req, http::status::ok,
                        {{"status", stopping ? "stopping" : "ok"}, {"jobs_running", jobs->running()},
                         {"jobs_queued", jobs->queued()}, {"streams", streams.load()}});
    }
    if (target == "/v1/openapi.json") {
      if (auto r = only(http::verb::get)) return *r;
      std::ifstream in(data_file("openapi.json"));
      std::stringstream s;
      s << in.rdbuf();
      return reply(req, http::status::ok, s.str());
    }
    if (target == "/v1/au") {
      if (auto r = only(http::verb::post)) return *r;
      if (auto r = multipart()) return *r;
      const Scratch scratch(scratch_folder());
      return reply(req, http::status::ok, runner.au_now(form(req), scratch.path, {}));
    }
    if (target == "/v1/jobs") {
      if (auto r = only(http::verb::post)) return *r;
      if (auto r = multipart()) return *r;
      const std::string id = jobs->submit(form(req));
      Response res = reply_json(req, http::status::accepted, job_json(*jobs->status(id)));
      res.set(http::field::location, "/v1/jobs/" + id);
      return res;
    }
    const std::string prefix = "/v1/jobs/";
    if (target.rfind(prefix, 0) == 0) {
      std::string rest = target.substr(prefix.size()), which;
      if (auto slash = rest.find('/'); slash != std::string::npos) {
        which = rest.substr(slash + 1);
        rest = rest.substr(0, slash);
      }
      auto status = jobs->status(rest);
      if (!status) return error_reply(req, http::status::not_found, "not_found", "no job " + printable(rest));
      if (which.empty()) {
        if (method == http::verb::delete_) {
          jobs->cancel(rest);
          return reply_json(req, http::status::ok, job_json(*jobs->status(rest)));
        }
        if (auto r = only(http::verb::get)) return *r;
        return reply_json(req, http::status::ok, job_json(*status));
      }
      if (which != "video" && which != "au")
        return error_reply(req, http::status::not_found, "not_found", "no such result: " + printable(which));
      if (auto r = only(http::verb::get)) return *r;
      if (status->state != "done")
        return error_reply(req, http::status::conflict, "not_ready", "the job is " + status->state);
      auto bytes = jobs->result(rest, which);
      if (!bytes) return error_reply(req, http::status::gone, "gone", "the " + which + " was fetched already or removed");
      return reply(req, http::status::ok, *bytes, which == "video" ? "video/mp4" : "application/json");
    }
    return error_reply(req, http::status::not_found, "not_found", "no such endpoint: " + printable(target));
  }

  // The streaming protocol (README "Service"): start message, portrait, PCM, set/end; frames out.
  void stream(tcp::socket& socket, const Request& req) {
    boost::system::error_code ec;
    if (streams.fetch_add(1) >= options.max_streams) {
      streams.fetch_sub(1);
      http::write(socket, error_reply(req, http::status::too_many_requests, "busy", "too many streams"), ec);
      return;
    }
    struct Count {
      std::atomic<int>& n;
      ~Count() { n.fetch_sub(1); }
    } count{streams};
    websocket::stream<tcp::socket&> ws(socket);
    ws.read_message_max(uint64_t(options.max_upload_bytes));
    ws.accept(req, ec);
    if (ec) return;
    auto send_text = [&](const json& j) {
      ws.text(true);
      ws.write(asio::buffer(j.dump()));
    };
    const Scratch held(scratch_folder());
    const fs::path& scratch = held.path;
    try {
      beast::flat_buffer buffer;
      auto next = [&]() -> bool {  // reads one message; false when the peer closed
        buffer.consume(buffer.size());
        boost::system::error_code rec;
        ws.read(buffer, rec);
        if (rec == websocket::error::closed || rec == asio::error::eof) return false;
        if (rec == asio::error::would_block || rec == asio::error::try_again || rec == asio::error::timed_out)
          throw Error(ExitCode::usage, "stream: idle for " + std::to_string(int(options.idle_seconds)) + " s");
        if (rec) throw boost::system::system_error(rec);
        return true;
      };
      if (!next()) return;
      if (!ws.got_text()) throw usage_error("stream: the first message must be the start message (text)");
      const json start_msg = parse_message(buffer);
      if (start_msg.value("type", "") != "start") throw usage_error("stream: the first message must have type start");
      StreamStart start = parse_stream_start(start_msg);
      if (!next()) return;
      if (ws.got_text()) throw usage_error("stream: the second message must be the portrait file (binary)");
      FormPart image;
      image.data = beast::buffers_to_string(buffer.data());
      const Portrait portrait = runner.load_portrait(image, scratch);
      StreamSession session(portrait, start.config);
      session.set_overrides(start.overrides);
      std::vector<uint8_t> jpeg;
      cv::Mat bgr;
      auto send_frame = [&](const StreamFrame& f) {
        cv::Mat rgb(f.image.height, f.image.width, CV_8UC3, const_cast<uint8_t*>(f.image.rgb), f.image.stride);
        cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
        cv::imencode(".jpg", bgr, jpeg, {cv::IMWRITE_JPEG_QUALITY, 90});
        ws.binary(true);
        ws.write(asio::buffer(jpeg));
        send_text({{"type", "frame"}, {"index", f.index}, {"time", f.time},
                   {"aus", std::vector<float>(f.aus.begin(), f.aus.end())}});
      };
      std::string carry;  // a sample split between two messages
      std::vector<float> samples;
      for (;;) {
        if (!next()) return;
        if (!ws.got_text()) {
          carry += beast::buffers_to_string(buffer.data());
          const std::size_t width = start.float_samples ? 4 : 2, n = carry.size() / width;
          samples.resize(n);
          for (std::size_t i = 0; i < n; ++i) {
            if (start.float_samples) {
              std::memcpy(&samples[i], carry.data() + 4 * i, 4);
            } else {
              int16_t v;
              std::memcpy(&v, carry.data() + 2 * i, 2);
              samples[i] = float(v) / 32768.f;
            }
          }
          carry.erase(0, n * width);
          if (session.seconds_in() + double(n) / start.config.sample_rate > options.limits.max_audio_seconds)
            throw input_error("stream", "longer than this server takes (" +
                                            std::to_string(int(options.limits.max_audio_seconds)) + " s)");
          session.push(samples, send_frame);
          continue;
        }
        const json m = parse_message(buffer);
        const std::string type = m.is_object() ? m.value("type", "") : "";
        if (type == "set") {
          StreamSet set = parse_stream_set(m);
          if (set.emotion_given || set.intensity)
            session.set_emotion(set.emotion_given ? set.emotion : start.config.emotion,
                                set.intensity.value_or(start.config.emotion_intensity));
          if (set.emotion_given) start.config.emotion = set.emotion;
          if (set.intensity) start.config.emotion_intensity = *set.intensity;
          if (set.overrides_given) session.set_overrides(set.overrides);
        } else if (type == "end") {
          session.finish(send_frame);
          send_text({{"type", "end"}, {"frames", session.frames_out()}});
          ws.close(websocket::close_code::normal, ec);
          return;
        } else {
          throw usage_error("stream: unknown message type '" + printable(type) + "'");
        }
      }
    } catch (const Error& e) {
      try {
        send_text({{"type", "error"}, {"error", code_name(e.code())}, {"code", int(e.code())}, {"message", e.what()}});
        ws.close(websocket::close_code::policy_error, ec);
      } catch (...) {
      }
    } catch (const std::exception&) {
      // The connection broke: nothing to tell.
    }
  }

  static json parse_message(const beast::flat_buffer& buffer) {
    const std::string text = beast::buffers_to_string(buffer.data());
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) throw usage_error("stream: a text message must be a JSON object");
    return j;
  }
};

HttpServer::HttpServer(ServeOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
HttpServer::~HttpServer() = default;
uint16_t HttpServer::port() const { return impl_->acceptor.local_endpoint().port(); }
void HttpServer::run() { impl_->run(); }
void HttpServer::stop() {
  impl_->stopping = true;
  const char b = 1;
  [[maybe_unused]] auto n = ::write(impl_->wake[1], &b, 1);
}
int HttpServer::wake_fd() const { return impl_->wake[1]; }

}  // namespace auhead::serve
