// Media throughput: H.264 encode frames per second at 512x512 (with AAC audio) and the audio
// decoder's real-time factor (seconds of audio decoded to 16 kHz mono per second of wall time).
// Usage: bench_media [frames=200] [output.mp4 (kept if given)]
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "auhead/error.h"
#include "media/audio_decoder.h"
#include "media/video_writer.h"

namespace fs = std::filesystem;
using namespace auhead::media;
using Clock = std::chrono::steady_clock;

static double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

int main(int argc, char** argv) try {
  const int frames = argc > 1 ? std::stoi(argv[1]) : 200;
  const fs::path dir = fs::temp_directory_path() / "auhead_bench_media";
  fs::create_directories(dir);
  const fs::path video = argc > 2 ? fs::path(argv[2]) : dir / "bench.mp4";

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
  std::printf("encode 512x512 H.264 (veryfast, crf 18)%s: %d frames in %.2f s = %.1f frames/s\n",
              audio.empty() ? "" : " + AAC", frames, enc, frames / enc);

  if (!audio.empty()) {
    t0 = Clock::now();
    const Audio a = decode_audio(audio);
    const double dec = seconds_since(t0);
    std::printf("decode %s to 16 kHz mono: %.1f s of audio in %.3f s = %.0fx real time\n", audio.c_str(),
                a.duration_seconds(), dec, a.duration_seconds() / dec);
  }
  t0 = Clock::now();
  const Audio b = decode_audio(video);
  const double dec2 = seconds_since(t0);
  if (!b.samples.empty())
    std::printf("decode AAC from the mp4 to 16 kHz mono: %.1f s in %.3f s = %.0fx real time\n", b.duration_seconds(),
                dec2, b.duration_seconds() / dec2);
  if (argc <= 2) fs::remove_all(dir);
  return 0;
} catch (const auhead::Error& e) {
  std::fprintf(stderr, "bench_media: %s\n", e.what());
  return static_cast<int>(e.code());
}
