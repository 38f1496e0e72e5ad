// Times the whole `generate` (decode → Stage 1 → face analysis → warp → H.264/AAC) on ≥ 10 s of speech
// at 512×512, 25 fps, for both phonetic front ends, then each stage alone (what overlapping them can
// save). Usage: bench_generate [--repeats 3] [--keep-portrait-expression] [--json] [speech.wav ...]
// (default: the LibriVox recordings of pocketsphinx-testdata joined until 10 s). With
// --keep-portrait-expression the stage timings render without neutralisation.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "auhead/pipeline.h"
#include "bench_options.h"
#include "build_config.h"
#include "core/progress.h"
#include "media/audio_decoder.h"
#include "media/image_io.h"
#include "media/video_writer.h"
#include "render/renderer.h"

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

void write_wav16(const fs::path& file, const std::vector<float>& samples, int rate) {
  std::ofstream out(file, std::ios::binary);
  auto put32 = [&](uint32_t v) { out.write(reinterpret_cast<const char*>(&v), 4); };
  auto put16 = [&](uint16_t v) { out.write(reinterpret_cast<const char*>(&v), 2); };
  const uint32_t bytes = uint32_t(samples.size() * 2);
  out.write("RIFF", 4), put32(36 + bytes), out.write("WAVEfmt ", 8), put32(16), put16(1), put16(1);
  put32(uint32_t(rate)), put32(uint32_t(rate * 2)), put16(2), put16(16), out.write("data", 4), put32(bytes);
  for (float s : samples) put16(uint16_t(int16_t(std::clamp(s, -1.f, 1.f) * 32767.f)));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"the whole generate and each stage alone, on 10 s of speech at 512x512"};
  auhead::bench::BenchReport report("bench_generate");
  int repeats = 3;
  bool keep = false;
  std::vector<fs::path> inputs;
  app.add_option("speech", inputs, "speech files, joined until 10 s (default: pocketsphinx's LibriVox test recordings)");
  app.add_option("--repeats", repeats, "runs of each measurement (the median is reported)")
      ->check(CLI::Range(1, 1000))->capture_default_str();
  app.add_flag("--keep-portrait-expression", keep, "stage timings without portrait neutralisation");
  auhead::bench::add_json_option(app, report);
  return auhead::bench::run_bench(app, report, argc, argv, [&] {
    if (inputs.empty())
      for (const char* id : {"0870", "0880", "0890"})
        inputs.emplace_back(std::string("/usr/share/pocketsphinx/test/data/librivox/sense_and_sensibility_01_austen_64kb-") +
                            id + ".wav");
    std::vector<float> speech;
    for (const auto& f : inputs) {
      if (speech.size() >= 10 * 16000) break;
      auto a = auhead::media::decode_audio(f);
      speech.insert(speech.end(), a.samples.begin(), a.samples.end());
    }
    fs::path dir = fs::temp_directory_path() / "auhead_bench_generate";
    fs::create_directories(dir);
    write_wav16(dir / "speech.wav", speech, 16000);
    const double seconds = double(speech.size()) / 16000.0;
    auhead::Progress::set_quiet(true);
    report.text("generate on %.2f s of speech, 512x512 @ 25 fps, warp renderer, %d runs each (median)\n", seconds, repeats);
    for (const char* lipsync : {"fast", "accurate"}) {
      std::vector<double> times;
      for (int r = 0; r < repeats; ++r) {
        auhead::GenerateOptions o;
        o.au.audio = dir / "speech.wav";
        o.au.lipsync = lipsync;
        o.render.image = std::string(AUHEAD_SOURCE_DIR) + "/examples/portrait.jpg";
        if (!fs::exists(o.render.image)) o.render.image = "/usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg";
        o.render.audio = o.au.audio;
        o.render.output = dir / "out.mp4";
        auto t0 = std::chrono::steady_clock::now();
        auhead::generate(o);
        times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      }
      std::sort(times.begin(), times.end());
      double med = times[times.size() / 2];
      report.text("  --lipsync %-8s  %.2f s wall (%.1fx real time; min %.2f s)\n", lipsync, med, seconds / med, times.front());
      report.record("generate", {{"lipsync", lipsync}, {"speech_s", seconds}, {"size", 512}, {"runs", repeats},
                                 {"median_s", med}, {"min_s", times.front()}, {"x_realtime", seconds / med}});
    }

    // Each stage alone: Stage 1 (decode + phones + AUs), the renderer's face analysis, rendering with
    // the frames thrown away, H.264/AAC encoding of frames already in memory.
    fs::path image = std::string(AUHEAD_SOURCE_DIR) + "/examples/portrait.jpg";
    if (!fs::exists(image)) image = "/usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg";
    const cv::Mat portrait = auhead::media::load_image_rgb(image);
    report.text("stages alone (median of %d):\n", repeats);
    auhead::AuSequence aus;
    for (const char* lipsync : {"fast", "accurate"}) {
      std::vector<double> t;
      for (int r = 0; r < repeats; ++r) {
        auhead::AuOptions o;
        o.audio = dir / "speech.wav";
        o.lipsync = lipsync;
        auto t0 = Clock::now();
        aus = auhead::generate_au(o);
        t.push_back(seconds_since(t0));
      }
      report.text("  Stage 1 --lipsync %-8s %.2f s\n", lipsync, median(t));
      report.record("stage1", {{"lipsync", lipsync}, {"speech_s", seconds}, {"median_s", median(t)}});
    }
    std::vector<double> t_face, t_render, t_encode;
    std::vector<cv::Mat> frames;
    for (int r = 0; r < repeats; ++r) {
      auhead::render::RendererOptions ro;
      ro.keep_portrait_expression = keep;
      auto renderer = auhead::render::make_renderer("warp", ro);
      auto t0 = Clock::now();
      renderer->prepare(portrait, image.string());
      t_face.push_back(seconds_since(t0));
      frames.clear();
      t0 = Clock::now();
      renderer->render(aus, portrait, image.string(), [&](const cv::Mat& f) { frames.push_back(f.clone()); });
      t_render.push_back(seconds_since(t0));
      t0 = Clock::now();
      auhead::media::VideoWriter video(dir / "encode.mp4", 512, 512, auhead::media::FrameRate::from_fps(aus.fps),
                                       dir / "speech.wav");
      for (const auto& f : frames) video.write(f);
      video.finish();
      t_encode.push_back(seconds_since(t0));
    }
    report.text("  face analysis (renderer prepare) %.2f s\n", median(t_face));
    report.text("  warp rendering, %zu frames      %.2f s (%.0f frames/s)\n", frames.size(), median(t_render),
                frames.size() / median(t_render));
    report.text("  H.264 + AAC encoding            %.2f s (%.0f frames/s)\n", median(t_encode),
                frames.size() / median(t_encode));
    report.record("stages", {{"frames", frames.size()}, {"keep_portrait_expression", keep}, {"face_analysis_s", median(t_face)},
                             {"render_s", median(t_render)}, {"encode_s", median(t_encode)}});

    // The most that overlapping Stage 1 with rendering and encoding could save: Stage 1 (accurate) and
    // render_video of an AU sequence already at hand, one after the other and at the same time.
    auhead::RenderOptions ro;
    ro.image = image;
    ro.audio = dir / "speech.wav";
    ro.output = dir / "overlap.mp4";
    auhead::AuOptions ao;
    ao.audio = dir / "speech.wav";
    std::vector<double> t_serial, t_parallel;
    for (int r = 0; r < repeats; ++r) {
      auto t0 = Clock::now();
      auhead::generate_au(ao);
      auhead::render_video(aus, ro);
      t_serial.push_back(seconds_since(t0));
      t0 = Clock::now();
      std::thread stage1([&] { auhead::generate_au(ao); });
      auhead::render_video(aus, ro);
      stage1.join();
      t_parallel.push_back(seconds_since(t0));
    }
    report.text("Stage 1 (accurate) then render+encode %.2f s; both at once %.2f s (the bound on overlap: %.0f%%)\n",
                median(t_serial), median(t_parallel), 100 * (1 - median(t_parallel) / median(t_serial)));
    report.record("overlap", {{"serial_s", median(t_serial)}, {"parallel_s", median(t_parallel)}});
    fs::remove_all(dir);
    return 0;
  });
}
