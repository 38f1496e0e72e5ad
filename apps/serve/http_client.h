// A blocking HTTP/1.1 client for one request to `auhead serve` on the loopback interface: what the
// service's tests and bench_serve speak to the server with (one connection per request, as a simple
// client would).
#pragma once
#include <utility>  // before Boost 1.74's asio, whose awaitable.hpp uses std::exchange without it

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdint>
#include <string>

namespace auhead::serve {

struct HttpReply {
  int status = 0;
  std::string type;  // Content-Type
  std::string body;
};

// Sends one request to 127.0.0.1:`port` and reads the reply (a body up to `body_limit` bytes). A
// server that refuses a body may answer before reading all of it: a failed write is not an error,
// the reply is still read. Throws boost::system::system_error when no reply comes.
inline HttpReply http_request(uint16_t port, boost::beast::http::verb verb, const std::string& target,
                              const std::string& body = "", const std::string& type = "",
                              std::uint64_t body_limit = std::uint64_t(1) << 30) {
  namespace asio = boost::asio;
  namespace http = boost::beast::http;
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), port});
  http::request<http::string_body> req{verb, target, 11};
  req.set(http::field::host, "localhost");
  if (!type.empty()) req.set(http::field::content_type, type);
  req.body() = body;
  req.prepare_payload();
  boost::beast::error_code ec;
  http::write(socket, req, ec);
  boost::beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(body_limit);
  http::read(socket, buffer, parser);
  auto res = parser.release();
  return {int(res.result_int()), std::string(res[http::field::content_type]), res.body()};
}

}  // namespace auhead::serve
