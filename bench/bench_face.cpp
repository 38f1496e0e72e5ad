// Bench for issue #3: detection + two-pass FaceMesh on a 512×512 portrait, one thread; prints the
// median and the per-stage medians over repeated runs.
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <opencv2/imgproc.hpp>
#include <vector>

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
  try {
    torch::set_num_threads(1);
    std::string image = argc > 1 ? argv[1] : "/usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg";
    int runs = argc > 2 ? std::atoi(argv[2]) : 30;
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
    std::printf("bench_face: 512x512 portrait, 1 thread, %d runs\n", runs);
    std::printf("  detection            median %.2f ms\n", median(det));
    std::printf("  mesh (2 passes)      median %.2f ms\n", median(mesh));
    std::printf("  detection + mesh     median %.2f ms (target <= 50 ms)\n", median(total));
    std::printf("  detection + mesh     median CPU time %.2f ms\n", median(cpu));
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_face: %s\n", e.what());
    return 1;
  }
}
