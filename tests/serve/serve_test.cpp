// `auhead serve` (apps/serve/) against a server on an ephemeral loopback port, with a Beast client:
// every endpoint, the job life cycle, limits (body size, queue), malformed and hostile requests,
// abrupt disconnects, the WebSocket stream protocol, and a graceful stop that leaves nothing behind.
#include "serve/serve_client.h"

#include <boost/beast/websocket.hpp>

#include "cli/cli_test_util.h"

namespace websocket = boost::beast::websocket;
using namespace serve_test;

TEST(Serve, HealthAndOpenApi) {
  Server s;
  Reply h = request(s.port(), http::verb::get, "/v1/health");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.js()["status"], "ok");
  Reply o = request(s.port(), http::verb::get, "/v1/openapi.json");
  EXPECT_EQ(o.status, 200);
  EXPECT_EQ(o.js()["openapi"], "3.0.3");
  EXPECT_TRUE(o.js()["paths"].contains("/v1/jobs"));
}

TEST(Serve, AJobFromUploadToResults) {
  Server s;
  Reply r = submit(s.port(), kFast, file_bytes("speech.wav"), "../../etc/passwd");  // a name is not a path
  ASSERT_EQ(r.status, 202) << r.body;
  const std::string id = r.js()["id"];
  EXPECT_EQ(id.size(), 32u);
  const json done = wait_done(s.port(), id);
  ASSERT_EQ(done["state"], "done") << done.dump();
  EXPECT_EQ(done["progress"], 1.0);
  EXPECT_TRUE(done["error"].is_null());
  Reply video = request(s.port(), http::verb::get, "/v1/jobs/" + id + "/video");
  EXPECT_EQ(video.status, 200);
  EXPECT_EQ(video.type, "video/mp4");
  ASSERT_GT(video.body.size(), 1000u);
  EXPECT_EQ(video.body.substr(4, 4), "ftyp");
  Reply au = request(s.port(), http::verb::get, "/v1/jobs/" + id + "/au");
  EXPECT_EQ(au.status, 200);
  EXPECT_GT(au.js()["frames"].size(), 100u);
  EXPECT_EQ(au.js()["emotion"]["label"], "happy") << au.body.substr(0, 200);
  // Both results fetched: the files are gone, the record stays.
  EXPECT_EQ(request(s.port(), http::verb::get, "/v1/jobs/" + id + "/video").status, 410);
  EXPECT_EQ(request(s.port(), http::verb::get, "/v1/jobs/" + id).js()["results"]["video"], false);
  EXPECT_FALSE(fs::exists(s.work() / "jobs" / id));
  EXPECT_FALSE(fs::exists("/etc/passwd.in"));
}

TEST(Serve, AuOnly) {
  Server s;
  Reply r = request(s.port(), http::verb::post, "/v1/au",
                    multipart({{"audio", "a.wav", "audio/wav", file_bytes("speech.wav")},
                               {"options", "", "", json{{"lipsync", "fast"}, {"fps", 30}}.dump()}}),
                    kForm);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.js()["fps"], 30);
  // Stage 2 options do not belong here.
  r = request(s.port(), http::verb::post, "/v1/au",
              multipart({{"audio", "a.wav", "", file_bytes("speech.wav")}, {"options", "", "", R"({"size": 128})"}}), kForm);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.js()["message"].get<std::string>().find("size"), std::string::npos);
}

TEST(Serve, BadRequestsAreJsonErrors) {
  auhead::serve::ServeOptions o;
  o.max_upload_bytes = 4 << 20;
  o.models["tiny"] = "/nonexistent-model";
  Server s(o);
  const uint16_t p = s.port();
  auto error = [](const Reply& r) { return r.js().value("error", std::string("?")); };
  Reply r = request(p, http::verb::get, "/v1/nothing");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(error(r), "not_found");
  EXPECT_EQ(request(p, http::verb::put, "/v1/jobs").status, 405);
  EXPECT_EQ(request(p, http::verb::get, "/v1/jobs/0123/video").status, 404);
  r = request(p, http::verb::post, "/v1/jobs", "{}", "application/json");
  EXPECT_EQ(r.status, 415);
  // Multipart with a boundary that never comes, and with no boundary at all.
  r = request(p, http::verb::post, "/v1/jobs", "--other\r\n\r\nx\r\n--other--\r\n", kForm);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(request(p, http::verb::post, "/v1/jobs", "x", "multipart/form-data").status, 400);
  // A part missing, an unknown part, an unknown option, a value out of range, an unknown model.
  r = request(p, http::verb::post, "/v1/jobs", multipart({{"audio", "a.wav", "", file_bytes("speech.wav")}}), kForm);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.js()["message"].get<std::string>().find("portrait"), std::string::npos);
  r = submit(p, {{"size", 128}, {"colour", "red"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.js()["message"].get<std::string>().find("colour"), std::string::npos);
  EXPECT_EQ(submit(p, {{"emotion_intensity", 3}}).status, 400);
  EXPECT_EQ(submit(p, {{"au_model", "elsewhere"}, {"au_generator", "alm"}}).status, 503);
  // A corrupt audio file: bad input (422), named as the part, not as a server path.
  r = submit(p, kFast, std::string(5000, 'x'));
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.js()["code"], 3);
  EXPECT_EQ(r.js()["message"].get<std::string>().rfind("audio", 0), 0u) << r.body;
  // Too large: 413 before anything is parsed.
  r = submit(p, kFast, std::string(5 << 20, '\0'));
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(error(r), "too_large");
  // An abrupt disconnect in the middle of a request leaves the server serving.
  {
    asio::io_context io;
    tcp::socket socket(io);
    socket.connect({asio::ip::make_address("127.0.0.1"), p});
    asio::write(socket, asio::buffer(std::string("POST /v1/jobs HTTP/1.1\r\nContent-Length: 100000\r\n\r\nabc")));
  }
  EXPECT_EQ(request(p, http::verb::get, "/v1/health").status, 200);
  // Nothing of the refused requests is left in the work folder. (The abandoned upload's handler may
  // still be noticing the disconnect when the health request returns: give it up to 10 s under load.)
  bool empty = false;
  for (int i = 0; i < 1000 && !(empty = fs::is_empty(s.work() / "jobs")); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_TRUE(empty);
}

TEST(Serve, AFullQueueIs429AndDeleteCancels) {
  auhead::serve::ServeOptions o;
  o.limits.workers = 1;
  o.limits.queue = 0;
  Server s(o);
  const json slow = {{"lipsync", "fast"}, {"size", 512}};
  Reply first = submit(s.port(), slow);
  ASSERT_EQ(first.status, 202);
  Reply second = submit(s.port(), slow);
  EXPECT_EQ(second.status, 429);
  EXPECT_EQ(second.js()["error"], "queue_full");
  const std::string id = first.js()["id"];
  Reply del = request(s.port(), http::verb::delete_, "/v1/jobs/" + id);
  EXPECT_EQ(del.status, 200);
  const json end = wait_done(s.port(), id);
  EXPECT_EQ(end["state"], "cancelled") << end.dump();
  EXPECT_FALSE(fs::exists(s.work() / "jobs" / id));
  EXPECT_EQ(submit(s.port(), kFast).status, 202);  // room again
}

// At 16 kHz, and at 8 kHz (every other sample), which the session resamples.
TEST(Serve, StreamOverWebSocket) {
  Server s;
  for (const int rate : {16000, 8000}) {
    asio::io_context io;
    websocket::stream<tcp::socket> ws(io);
    ws.next_layer().connect({asio::ip::make_address("127.0.0.1"), s.port()});
    ws.handshake("localhost", "/v1/stream");
    ws.text(true);
    ws.write(asio::buffer(json{{"type", "start"}, {"sample_rate", rate}, {"format", "s16le"}, {"size", 128},
                               {"emotion", "neutral"}}.dump()));
    ws.binary(true);
    ws.write(asio::buffer(file_bytes("portrait.jpg")));
    // 2 s of the speech as s16le in 40-ms messages (a WAV's header skipped: 44 bytes).
    const std::string wav = file_bytes("speech.wav");
    std::string pcm = wav.substr(44, 2 * 32000);
    if (rate == 8000) {
      std::string half;
      for (std::size_t i = 0; i < pcm.size(); i += 4) half += pcm.substr(i, 2);
      pcm = half;
    }
    const std::size_t chunk = 1280 * rate / 16000;  // 40 ms
    int jpegs = 0, infos = 0, last_index = -1;
    bool ended = false;
    std::thread reader([&] {
      beast::flat_buffer b;
      for (;;) {
        beast::error_code ec;
        ws.read(b, ec);
        if (ec) return;
        const std::string m = beast::buffers_to_string(b.data());
        b.consume(b.size());
        if (!ws.got_text()) {
          EXPECT_EQ(uint8_t(m[0]), 0xFF);
          EXPECT_EQ(uint8_t(m[1]), 0xD8);  // JPEG
          ++jpegs;
          continue;
        }
        json j = json::parse(m);
        if (j["type"] == "frame") {
          EXPECT_EQ(j["index"].get<int>(), last_index + 1);
          last_index = j["index"];
          EXPECT_EQ(j["aus"].size(), 30u);
          ++infos;
        } else if (j["type"] == "end") {
          ended = true;
        } else {
          ADD_FAILURE() << m;
        }
      }
    });
    for (std::size_t i = 0; i < pcm.size(); i += chunk) {
      if (i == pcm.size() / 2) {
        ws.text(true);
        ws.write(asio::buffer(json{{"type", "set"}, {"emotion", "happy"}, {"set", {"jaw_drop=0.2"}}}.dump()));
      }
      ws.binary(true);
      ws.write(asio::buffer(pcm.substr(i, chunk)));
    }
    ws.text(true);
    ws.write(asio::buffer(std::string(R"({"type": "end"})")));
    reader.join();
    EXPECT_TRUE(ended);
    EXPECT_EQ(jpegs, 50);
    EXPECT_EQ(infos, 50);
  }
}

TEST(Serve, StreamErrorsAreMessagesThenClose) {
  Server s;
  for (const std::string& first : {std::string(R"({"type": "start", "sample_rate": 4000})"), std::string("not json")}) {
    asio::io_context io;
    websocket::stream<tcp::socket> ws(io);
    ws.next_layer().connect({asio::ip::make_address("127.0.0.1"), s.port()});
    ws.handshake("localhost", "/v1/stream");
    ws.text(true);
    ws.write(asio::buffer(first));
    beast::flat_buffer b;
    ws.read(b);
    json j = json::parse(beast::buffers_to_string(b.data()));
    EXPECT_EQ(j["type"], "error");
    EXPECT_EQ(j["error"], "usage");
    beast::error_code ec;
    b.consume(b.size());
    ws.read(b, ec);
    EXPECT_EQ(ec, websocket::error::closed);
  }
  // The stream's slot is given back once its connection ends (within 5 s: the server's thread may
  // wait for a core while the whole suite runs on two).
  int streams = -1;
  for (int i = 0; i < 500 && streams != 0; ++i) {
    streams = request(s.port(), http::verb::get, "/v1/health").js()["streams"];
    if (streams) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(streams, 0);
}

TEST(Serve, StopIsGracefulAndRemovesTheWorkFolder) {
  auto s = std::make_unique<Server>();
  ASSERT_EQ(submit(s->port(), kFast).status, 202);
  const fs::path work = s->work();
  EXPECT_TRUE(fs::exists(work));
  s->stop();
  EXPECT_FALSE(fs::exists(work));
}

// The command: `auhead serve --port 0 --port-file F` answers, and SIGTERM stops it cleanly (exit 0,
// its private work folder under $TMPDIR removed).
TEST(Serve, TheCommandStopsOnSigterm) {
  auhead::test::TempDir dir("serve_cli");
  const fs::path script = dir.path() / "run.sh";
  std::ofstream(script) << "export TMPDIR=" << dir.path().string() << "\n"
                        << "P=" << (dir.path() / "port").string() << "\n"
                        << AUHEAD_CLI_PATH << " serve --port 0 --port-file $P 2>" << (dir.path() / "log").string()
                        << " </dev/null >/dev/null &\n"
                        << "pid=$!\n"
                        << "for i in $(seq 300); do [ -s $P ] && break; sleep 0.1; done\n"
                        << "exec 3<>/dev/tcp/127.0.0.1/$(cat $P)\n"
                        << "printf 'GET /v1/health HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n' >&3\n"
                        << "timeout 5 cat <&3\n"
                        << "kill -TERM $pid; wait $pid; echo \"exit=$?\"\n"
                        << "ls " << dir.path().string() << "\n"
                        << "cat " << (dir.path() / "log").string() << "\n";
  const auto r = auhead::test::run_shell("timeout 60 bash " + script.string());
  EXPECT_NE(r.output.find("HTTP/1.1 200"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("\"status\":\"ok\""), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("exit=0"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("auhead-serve-"), std::string::npos) << r.output;  // the work folder is gone
  EXPECT_NE(r.output.find("auhead: stopped"), std::string::npos) << r.output;
}
