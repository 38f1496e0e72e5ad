// Media throughput: H.264 encode frames per second at 512x512 (with AAC audio) and the audio
// decoder's real-time factor (seconds of audio decoded to 16 kHz mono per second of wall time).
// Usage: bench_media [--frames 200] [--output out.mp4 (kept)] [--json]
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "auhead/error.h"
#include "bench_options.h"
#include "media/audio_decoder.h"
#include "media/video_writer.h"

namespace fs = std::filesystem;
using namespace auhead::media;
using Clock = std::chrono::steady_clock;

static double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

int main(int argc, char** argv) {
  CLI::App app{"H.264/AAC encoding and audio decoding throughput"};
  auhead::bench::BenchReport report("bench_media");
  int frames = 200;
  fs::path output;
  app.add_option("--frames", frames, "512x512 frames encoded")->check(CLI::Range(1, 1000000))->capture_default_str();
  app.add_option("--output", output, "keep the encoded video here (default: a temporary file)");
  auhead::bench::add_json_option(app, report);
  return auhead::bench::run_bench(app, report, argc, argv, [&] {
    const fs::path dir = fs::temp_directory_path() / "auhead_bench_media";
    fs::create_directories(dir);
    const fs::path video = output.empty() ? dir / "bench.mp4" : output;

    // Speech to mux and decode: the bundled example, else the Debian test recording, else none.
    fs::path audio;
    for (const char* candidate : {"examples/speech.wav",
                                  "/usr/share/pocketsphinx/test/data/librivox/sense_and_sensibility_01_austen_64kb-0870.wav"})
      if (fs::exists(candidate)) {
        audio = candidate;
        break;
      }

    std::vector<cv::Mat> pool;
    for (int i = 0; i < 25; ++i) {
      cv::Mat rgb(512, 512, CV_8UC3, cv::Scalar(30, 40, 100));
      cv::circle(rgb, {256 + static_cast<int>(100 * std::sin(i * 0.25)), 256}, 80, cv::Scalar(230, 180, 150), cv::FILLED);
      cv::randu(rgb(cv::Rect(0, 0, 512, 64)), 0, 255);  // some texture
      pool.push_back(rgb);
    }
    auto t0 = Clock::now();
    {
      VideoWriter writer(video, 512, 512, {25, 1}, audio);
      for (int i = 0; i < frames; ++i) writer.write(pool[i % pool.size()]);
      writer.finish();
    }
    const double enc = seconds_since(t0);
    report.text("encode 512x512 H.264 (veryfast, crf 18)%s: %d frames in %.2f s = %.1f frames/s\n",
                audio.empty() ? "" : " + AAC", frames, enc, frames / enc);
    report.record("encode", {{"size", 512}, {"frames", frames}, {"aac", !audio.empty()}, {"seconds", enc},
                             {"frames_per_s", frames / enc}});

    if (!audio.empty()) {
      t0 = Clock::now();
      const Audio a = decode_audio(audio);
      const double dec = seconds_since(t0);
      report.text("decode %s to 16 kHz mono: %.1f s of audio in %.3f s = %.0fx real time\n", audio.c_str(),
                  a.duration_seconds(), dec, a.duration_seconds() / dec);
      report.record("decode", {{"file", audio.string()}, {"audio_s", a.duration_seconds()}, {"seconds", dec},
                               {"x_realtime", a.duration_seconds() / dec}});
    }
    t0 = Clock::now();
    const Audio b = decode_audio(video);
    const double dec2 = seconds_since(t0);
    if (!b.samples.empty()) {
      report.text("decode AAC from the mp4 to 16 kHz mono: %.1f s in %.3f s = %.0fx real time\n", b.duration_seconds(),
                  dec2, b.duration_seconds() / dec2);
      report.record("decode_aac", {{"audio_s", b.duration_seconds()}, {"seconds", dec2},
                                   {"x_realtime", b.duration_seconds() / dec2}});
    }
    fs::remove_all(dir);
    return 0;
  });
}
