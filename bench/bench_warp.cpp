// Warp renderer speed: frames per second at 512 × 512 (or --size), on a synthetic 10 s AU sequence
// (speech-like jaw motion, a smile, blinks) with head motion, after the one-off portrait analysis.
// Then, untimed, how far the background next to the person moves over the same frames (issue #14:
// mean ≤ 0.3 px within 20 px outside the head outline), with the background hold on and off; and, when
// the portrait wears glasses, the speed with the glasses hold off and on.
// Usage: bench_warp [portrait.jpg] [--size 512] [--frames 250] [--json]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>

#include "auhead/error.h"
#include "bench_options.h"
#include "media/image_io.h"
#include "render/renderer.h"
#include "render/warp/background_hold.h"
#include "render/warp/warp_renderer.h"

using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  CLI::App app{"warp renderer speed, background motion and the glasses hold"};
  auhead::bench::BenchReport report("bench_warp");
  std::string image = "/usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg";
  int size = 512, n = 250;
  app.add_option("portrait", image, "portrait image")->capture_default_str();
  app.add_option("--size", size, "frame size in pixels")->check(CLI::Range(16, 4096))->capture_default_str();
  app.add_option("--frames", n, "frames rendered")->check(CLI::Range(1, 100000))->capture_default_str();
  auhead::bench::add_json_option(app, report);
  return auhead::bench::run_bench(app, report, argc, argv, [&] {
    auhead::AuSequence aus;
    aus.fps = 25;
    aus.frames.resize(n);
    for (int t = 0; t < n; ++t) {
      auto& f = aus.frames[t];
      f.fill(0);
      f[8] = float(0.35 + 0.35 * std::sin(t * 0.9) * std::sin(t * 0.13));
      f[29] = std::min(1.f, f[8] * 1.4f);
      f[11] = f[12] = 0.3f;
      if (t % 90 < 4) f[0] = f[1] = 1.f;
    }
    cv::Mat portrait = auhead::media::load_image_rgb(image);
    auhead::render::RendererOptions o;
    o.size = size;
    o.seed = 1;
    auto r = auhead::render::make_renderer("warp", o);
    auto t0 = Clock::now();
    r->prepare(portrait, image);
    auto t1 = Clock::now();
    double checksum = 0;
    r->render(aus, portrait, image, [&](const cv::Mat& f) { checksum += f.at<cv::Vec3b>(size / 2, size / 2)[0]; });
    auto t2 = Clock::now();
    double prep = std::chrono::duration<double>(t1 - t0).count(), run = std::chrono::duration<double>(t2 - t1).count();
    report.text("warp renderer %dx%d: portrait analysis %.3f s, %d frames in %.3f s = %.1f frames/s (checksum %.0f)\n",
                size, size, prep, n, run, n / run, checksum);
    report.record("speed", {{"portrait", image}, {"size", size}, {"frames", n}, {"analysis_s", prep},
                            {"render_s", run}, {"frames_per_s", n / run}});

    for (bool hold : {false, true}) {
      auhead::render::warp::WarpRenderer w(o);
      w.set_hold_background(hold);
      w.prepare(portrait, image);
      cv::Mat person = w.person_weight();
      if (person.empty()) {
        report.text("background: the segmenter did not find the person; nothing held\n");
        break;
      }
      double mean = 0, worst = 0;
      int frames = 0;
      w.render(aus, portrait, image, [&](const cv::Mat&) {
        auto m = auhead::render::warp::background_motion(w.last_map(), person);
        mean += m.mean_px;
        worst = std::max(worst, m.max_px);
        ++frames;
      });
      report.text("background within 20 px outside the person, hold %s: mean %.3f px over %d frames, largest %.2f px\n",
                  hold ? "on " : "off", frames ? mean / frames : 0.0, frames, worst);
      report.record("background", {{"portrait", image}, {"hold", hold}, {"frames", frames},
                                   {"mean_px", frames ? mean / frames : 0.0}, {"max_px", worst}});
    }
    // A portrait with glasses: the frame laid rigidly over the face costs this much per frame.
    auhead::render::warp::WarpRenderer g(o);
    g.prepare(portrait, image);
    if (!g.glasses_mask().empty()) {
      for (bool hold : {false, true}) {
        g.set_hold_glasses(hold);
        auto a = Clock::now();
        g.render(aus, portrait, image, [](const cv::Mat&) {});
        double s = std::chrono::duration<double>(Clock::now() - a).count();
        report.text("glasses found: hold %s %.1f frames/s\n", hold ? "on " : "off", n / s);
        report.record("glasses", {{"portrait", image}, {"hold", hold}, {"frames_per_s", n / s}});
      }
    }
    return 0;
  });
}
