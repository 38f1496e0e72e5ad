// Bench for issue #3: detection + two-pass FaceMesh on a 512×512 portrait, one thread; prints the
// median and the per-stage medians over repeated runs.
// Usage: bench_face [portrait.jpg] [--runs 30] [--json]
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <opencv2/imgproc.hpp>
#include <vector>

#include "bench_options.h"
#include "build_config.h"
#include "face/face_analyzer.h"
#include "media/image_io.h"

using namespace auhead::face;
using Clock = std::chrono::steady_clock;

static double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}
// Process CPU time: with one thread, the work itself, less disturbed by other loads on the machine.
static double cpu_ms() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}
static double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

int main(int argc, char** argv) {
  CLI::App app{"face detection + FaceMesh on a 512x512 portrait, one thread"};
  auhead::bench::BenchReport report("bench_face");
  std::string image = "/usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg";
  int runs = 30;
  app.add_option("portrait", image, "portrait image")->capture_default_str();
  app.add_option("--runs", runs, "timed runs (after 3 warm-up runs)")->check(CLI::Range(1, 100000))->capture_default_str();
  auhead::bench::add_json_option(app, report);
  return auhead::bench::run_bench(app, report, argc, argv, [&] {
    torch::set_num_threads(1);
    cv::Mat rgb = auhead::media::load_image_rgb(image), sq;
    // 512×512: centre crop to square, then resize.
    int side = std::min(rgb.cols, rgb.rows);
    cv::resize(rgb(cv::Rect((rgb.cols - side) / 2, (rgb.rows - side) / 2, side, side)), sq, {512, 512}, 0, 0,
               cv::INTER_AREA);
    FaceAnalyzer analyzer;
    for (int i = 0; i < 3; ++i) analyzer.analyze(sq, image);  // warm-up
    std::vector<double> total, det, mesh, cpu;
    for (int i = 0; i < runs; ++i) {
      double c0 = cpu_ms();
      auto t0 = Clock::now();
      auto faces = analyzer.detect(sq);
      det.push_back(ms_since(t0));
      auto t1 = Clock::now();
      auto m = analyzer.mesh(sq, faces.at(0));
      mesh.push_back(ms_since(t1));
      total.push_back(ms_since(t0));
      cpu.push_back(cpu_ms() - c0);
    }
    report.text("bench_face: 512x512 portrait, 1 thread, %d runs\n", runs);
    report.text("  detection            median %.2f ms\n", median(det));
    report.text("  mesh (2 passes)      median %.2f ms\n", median(mesh));
    report.text("  detection + mesh     median %.2f ms (target <= 50 ms)\n", median(total));
    report.text("  detection + mesh     median CPU time %.2f ms\n", median(cpu));
    report.record("", {{"portrait", image}, {"size", 512}, {"threads", 1}, {"runs", runs}, {"detection_ms", median(det)},
                       {"mesh_ms", median(mesh)}, {"total_ms", median(total)}, {"total_cpu_ms", median(cpu)}});
    return 0;
  });
}
