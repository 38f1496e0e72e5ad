// Glasses stay rigid (issue #14, item 4): how well face::find_glasses finds a frame, and how far the
// warp renderer moves the frame's pixels when the face makes an expression, with the glasses hold
// off and on. For every portrait:
//  - bare: whether a frame is found on the photo as it is (on a face without glasses: a false alarm);
//  - thick / thin: a frame drawn on it (face::draw_test_glasses, whose pixels are the truth): found,
//    recall (true frame pixels the mask covers) and precision (mask pixels on the frame, ±2 px);
//  - for each face with a frame (drawn, or found on the photo): the mean and largest displacement (px
//    at 512²) of the frame's pixels under angry, surprised and sad at 1.0 (no head motion), hold off
//    and on. A pixel's displacement is how far from its own place the output fetches it, counting the
//    rigid layer as not moved: (1 - mask)·|map - q|. Over the true frame pixels where there is a
//    truth, over the found mask (≥ 0.5) on a photo's own glasses.
// Usage: bench_glasses [--json] [portrait...]  (default examples/portrait.jpg examples/astronaut.png examples/faces/*)
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "auhead/au_edit.h"
#include "auhead/error.h"
#include "bench_options.h"
#include "face/face_analyzer.h"
#include "face/glasses_finder.h"
#include "media/image_io.h"
#include "render/portrait_scene.h"
#include "render/warp/warp_renderer.h"

namespace {

using auhead::face::FaceAnalyzer;

std::vector<cv::Point2f> landmarks_of(const cv::Mat& rgb, const std::string& name) {
  auto f = FaceAnalyzer::shared().analyze(rgb, name);
  std::vector<cv::Point2f> lm;
  for (const auto& p : f.landmarks) lm.emplace_back(p.x, p.y);
  return lm;
}

struct Motion {
  double mean = 0, max = 0;
};

// Displacement of the pixels `where` (CV_8U, frame) under one expression, the hold `on` or off.
Motion frame_motion(const cv::Mat& portrait, const std::string& name, const cv::Mat& where, auhead::Emotion e,
                    bool on) {
  auhead::render::RendererOptions o;
  o.size = 512;
  o.still = true;
  auhead::render::warp::WarpRenderer r(o);
  r.set_hold_glasses(on);
  r.prepare(portrait, name);
  auhead::AuFrame aus = auhead::emotion_prototype(e);
  cv::Mat frame;
  r.render_frame(aus, nullptr, frame);
  const cv::Mat& map = r.last_map();
  cv::Mat mask = on ? r.glasses_mask() : cv::Mat();
  Motion m;
  long n = 0;
  for (int y = 0; y < map.rows; ++y)
    for (int x = 0; x < map.cols; ++x) {
      if (!where.at<uchar>(y, x)) continue;
      cv::Vec2f s = map.at<cv::Vec2f>(y, x);
      double d = std::hypot(s[0] - x, s[1] - y);
      if (!mask.empty()) d *= 1 - std::min(1.f, mask.at<float>(y, x));
      m.mean += d;
      m.max = std::max(m.max, d);
      ++n;
    }
  if (n) m.mean /= double(n);
  return m;
}

void report_motion(const auhead::bench::BenchReport& report, const cv::Mat& portrait, const std::string& name,
                   const cv::Mat& where, const char* over) {
  report.text("  frame pixels (%s, %d px) moved, mean / max px:", over, cv::countNonZero(where));
  for (auto e : {auhead::Emotion::angry, auhead::Emotion::surprised, auhead::Emotion::sad}) {
    Motion off = frame_motion(portrait, name, where, e, false), on = frame_motion(portrait, name, where, e, true);
    const std::string emotion(auhead::emotion_name(e));
    report.text("  %s %.2f/%.1f -> %.2f/%.1f", emotion.c_str(), off.mean, off.max, on.mean, on.max);
    report.record("motion", {{"portrait", name}, {"over", over}, {"emotion", emotion}, {"hold_off_mean_px", off.mean},
                             {"hold_off_max_px", off.max}, {"hold_on_mean_px", on.mean}, {"hold_on_max_px", on.max}});
  }
  report.text("\n");
}

// `truth` (portrait pixels) in the renderer's frame, as it frames this portrait.
cv::Mat truth_in_frame(const cv::Mat& portrait, const std::vector<cv::Point2f>& lm, const cv::Mat& truth) {
  auto framing = auhead::render::frame_portrait(portrait, lm, 512);
  cv::Matx23d a = framing.portrait_to_frame;  // continuous → continuous; pixel centres are at +0.5
  a(0, 2) += 0.5 * (a(0, 0) + a(0, 1)) - 0.5;
  a(1, 2) += 0.5 * (a(1, 0) + a(1, 1)) - 0.5;
  cv::Mat out;
  cv::warpAffine(truth, out, cv::Mat(a), {512, 512}, cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(0));
  return out > 127;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"glasses: found or not, and how far the warp moves the frame's pixels"};
  auhead::bench::BenchReport report("bench_glasses");
  std::vector<std::string> portraits;
  app.add_option("portraits", portraits, "portrait images (default: the bundled ones and examples/faces/)");
  auhead::bench::add_json_option(app, report);
  return auhead::bench::run_bench(app, report, argc, argv, [&] {
    if (portraits.empty()) {
      portraits = {"examples/portrait.jpg", "examples/astronaut.png"};
      if (std::filesystem::is_directory("examples/faces"))
        for (const auto& f : std::filesystem::directory_iterator("examples/faces")) portraits.push_back(f.path().string());
    }
    int bare_found = 0, drawn = 0, drawn_found = 0;
    for (const auto& name : portraits) {
      cv::Mat photo = auhead::media::load_image_rgb(name);
      auto lm = landmarks_of(photo, name);
      auto own = auhead::face::find_glasses(photo, lm);
      bare_found += own.found;
      report.text("%s: as it is: %s (bridge %.1f, threshold %.1f, rim cover %.2f)\n", name.c_str(),
                  own.found ? "glasses found" : "no glasses", own.bridge, own.threshold, own.ring_cover);
      report.record("bare", {{"portrait", name}, {"found", own.found}, {"bridge", own.bridge}, {"threshold", own.threshold},
                             {"rim_cover", own.ring_cover}});
      if (own.found) {
        auhead::render::RendererOptions o;
        o.size = 512;
        auhead::render::warp::WarpRenderer r(o);
        r.prepare(photo, name);
        cv::Mat where = r.glasses_mask() >= 0.5f;
        report_motion(report, photo, name, where, "found mask");
      }
      for (bool thick : {true, false}) {
        cv::Mat img = photo.clone();
        cv::Mat truth = auhead::face::draw_test_glasses(img, lm, thick);
        auto lm2 = landmarks_of(img, name);
        auto g = auhead::face::find_glasses(img, lm2);
        ++drawn;
        drawn_found += g.found;
        double recall = 0, precision = 0;
        if (g.found) {
          cv::Mat m = g.mask >= 0.5f, near;
          cv::dilate(truth, near, cv::getStructuringElement(cv::MORPH_ELLIPSE, {5, 5}));
          recall = double(cv::countNonZero(m & truth)) / std::max(1, cv::countNonZero(truth));
          precision = double(cv::countNonZero(m & near)) / std::max(1, cv::countNonZero(m));
        }
        report.text("  %s frame drawn: %s, recall %.2f, precision %.2f\n", thick ? "thick" : "thin ",
                    g.found ? "found" : "MISSED", recall, precision);
        report.record("drawn", {{"portrait", name}, {"frame", thick ? "thick" : "thin"}, {"found", g.found},
                                {"recall", recall}, {"precision", precision}});
        if (g.found) report_motion(report, img, name, truth_in_frame(img, lm2, truth), "true frame");
      }
    }
    report.text("glasses: found on the photos as they are: %d of %zu; drawn frames found: %d of %d\n", bare_found,
                portraits.size(), drawn_found, drawn);
    report.record("summary", {{"portraits", portraits.size()}, {"found_bare", bare_found}, {"drawn", drawn},
                              {"drawn_found", drawn_found}});
    return 0;
  });
}
