// A chart of the 468 FaceMesh landmark indices on a magnified face, for editing the data files that
// name landmarks (data/au_basis.json, data/fold_shading.json).
// Usage: landmark_chart portrait.jpg chart.png [--side 2400] [--range first,last]
#include <cstdio>
#include <string>

#include <opencv2/imgproc.hpp>

#include "auhead/error.h"
#include "bench_options.h"
#include "face/face_analyzer.h"
#include "media/image_io.h"

int main(int argc, char** argv) {
  CLI::App app{"a chart of the 468 FaceMesh landmark indices on a magnified face"};
  auhead::bench::BenchReport report("landmark_chart");
  std::string portrait, chart, range;
  int side = 2400;
  app.add_option("portrait", portrait, "portrait image")->required();
  app.add_option("chart", chart, "PNG to write")->required();
  app.add_option("--side", side, "side of the magnified chart in pixels")->check(CLI::Range(64, 16384))->capture_default_str();
  app.add_option("--range", range, "only the indices first,last");
  auhead::bench::add_json_option(app, report);
  return auhead::bench::run_bench(app, report, argc, argv, [&] {
    int first = 0, last = 467;
    if (!range.empty() && std::sscanf(range.c_str(), "%d,%d", &first, &last) != 2)
      throw auhead::usage_error("--range must be first,last, got '" + range + "'");
    cv::Mat img = auhead::media::load_image_rgb(portrait);
    auto f = auhead::face::FaceAnalyzer::shared().analyze(img, portrait);
    float x0 = 1e9f, y0 = 1e9f, x1 = -1e9f, y1 = -1e9f;
    for (const auto& p : f.landmarks)
      x0 = std::min(x0, p.x), y0 = std::min(y0, p.y), x1 = std::max(x1, p.x), y1 = std::max(y1, p.y);
    float s = std::max(x1 - x0, y1 - y0) * 1.05f, cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
    cv::Mat crop;
    cv::Mat M = (cv::Mat_<double>(2, 3) << side / s, 0, side / 2.0 - cx * side / s, 0, side / s, side / 2.0 - cy * side / s);
    cv::warpAffine(img, crop, M, cv::Size(side, side), cv::INTER_CUBIC, cv::BORDER_CONSTANT);
    for (int i = first; i <= last && i < int(f.landmarks.size()); ++i) {
      cv::Point2f p((f.landmarks[i].x - cx) * side / s + side / 2.f, (f.landmarks[i].y - cy) * side / s + side / 2.f);
      cv::circle(crop, p, 3, cv::Scalar(255, 255, 0), -1, cv::LINE_AA);
      cv::putText(crop, std::to_string(i), p + cv::Point2f(4, -3), cv::FONT_HERSHEY_SIMPLEX, 0.4, cv::Scalar(0, 0, 0), 3,
                  cv::LINE_AA);
      cv::putText(crop, std::to_string(i), p + cv::Point2f(4, -3), cv::FONT_HERSHEY_SIMPLEX, 0.4,
                  cv::Scalar(255, 255, 255), 1, cv::LINE_AA);
    }
    auhead::media::write_png(chart, crop);
    report.record("", {{"portrait", portrait}, {"chart", chart}, {"side", side}, {"first", first}, {"last", last}});
    return 0;
  });
}
