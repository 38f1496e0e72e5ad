#include "auhead/au_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "auhead/error.h"
#include "core/atomic_file.h"

namespace auhead {

namespace {
const std::vector<cv::Scalar> kColours = {  // BGR
    {40, 40, 220}, {0, 140, 255}, {160, 60, 160}, {60, 160, 60}, {200, 120, 0}, {120, 120, 0}, {0, 180, 220},
    {90, 90, 90}, {200, 0, 200}, {0, 100, 0}, {100, 0, 0}, {0, 0, 128}};
}

const std::vector<int>& default_plot_channels() {
  static const std::vector<int> c{8, 29, 21, 13, 11, 16, 6, 0};
  return c;
}

void write_au_plot(const std::filesystem::path& png, const AuSequence& seq, const std::vector<PhoneMark>& marks,
                   const std::vector<int>& channels_in) {
  const auto& channels = channels_in.empty() ? default_plot_channels() : channels_in;
  for (int c : channels)
    if (c < 0 || c >= kNumAus) throw usage_error("plot: AU index " + std::to_string(c) + " is outside 0.." + std::to_string(kNumAus - 1));
  const double duration = std::max(seq.duration_seconds(), 1e-3);
  const int left = 50, right = 230, top = 20, plot_h = 360, strip_h = 44, axis_h = 30;
  const int plot_w = std::clamp(int(duration * 150), 900, 8000);
  const int width = left + plot_w + right, height = top + plot_h + strip_h + axis_h;
  cv::Mat img(height, width, CV_8UC3, cv::Scalar(255, 255, 255));
  auto x_of = [&](double t) { return left + int(std::lround(t / duration * plot_w)); };
  auto y_of = [&](double v) { return top + int(std::lround((1 - v) * plot_h)); };
  const int strip_top = top + plot_h;

  // Phones: shading for silence, separators and labels (two alternating rows).
  int row = 0;
  for (const auto& m : marks) {
    int x0 = x_of(m.start), x1 = x_of(m.end);
    if (m.label == "SIL") {
      cv::rectangle(img, {x0, top}, {x1, strip_top + strip_h}, cv::Scalar(238, 238, 238), cv::FILLED);
      continue;
    }
    cv::line(img, {x0, top}, {x0, strip_top + strip_h}, cv::Scalar(215, 215, 215), 1);
    int baseline = 0;
    auto size = cv::getTextSize(m.label, cv::FONT_HERSHEY_SIMPLEX, 0.4, 1, &baseline);
    int y = strip_top + 16 + 18 * row;
    cv::putText(img, m.label, {(x0 + x1) / 2 - size.width / 2, y}, cv::FONT_HERSHEY_SIMPLEX, 0.4, cv::Scalar(60, 60, 60), 1,
                cv::LINE_AA);
    row = 1 - row;
  }
  // Frame, grid and axes.
  for (double v : {0.0, 0.25, 0.5, 0.75, 1.0}) {
    cv::line(img, {left, y_of(v)}, {left + plot_w, y_of(v)}, cv::Scalar(225, 225, 225), 1);
    char buf[16];
    std::snprintf(buf, sizeof buf, "%.2g", v);
    cv::putText(img, buf, {8, y_of(v) + 4}, cv::FONT_HERSHEY_SIMPLEX, 0.4, cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
  }
  cv::rectangle(img, {left, top}, {left + plot_w, strip_top}, cv::Scalar(0, 0, 0), 1);
  const double tick = duration > 30 ? 5 : duration > 8 ? 1 : duration > 3 ? 0.5 : 0.1;
  for (double t = 0; t <= duration + 1e-9; t += tick) {
    int x = x_of(t);
    cv::line(img, {x, strip_top + strip_h}, {x, strip_top + strip_h + 5}, cv::Scalar(0, 0, 0), 1);
    char buf[16];
    std::snprintf(buf, sizeof buf, "%g", std::round(t * 10) / 10);
    cv::putText(img, buf, {x - 8, strip_top + strip_h + 20}, cv::FONT_HERSHEY_SIMPLEX, 0.4, cv::Scalar(0, 0, 0), 1,
                cv::LINE_AA);
  }
  cv::putText(img, "s", {left + plot_w + 8, strip_top + strip_h + 20}, cv::FONT_HERSHEY_SIMPLEX, 0.4,
              cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
  // Curves and legend.
  for (size_t c = 0; c < channels.size(); ++c) {
    const cv::Scalar colour = kColours[c % kColours.size()];
    std::vector<cv::Point> pts;
    pts.reserve(seq.frames.size());
    for (size_t k = 0; k < seq.frames.size(); ++k)
      pts.push_back({x_of((k + 0.5) / seq.fps), y_of(std::clamp(double(seq.frames[k][channels[c]]), 0.0, 1.0))});
    if (pts.size() > 1) cv::polylines(img, pts, false, colour, 2, cv::LINE_AA);
    int ly = top + 14 + 20 * int(c);
    cv::line(img, {left + plot_w + 12, ly - 4}, {left + plot_w + 36, ly - 4}, colour, 3);
    cv::putText(img, std::string(au_info(channels[c]).name), {left + plot_w + 42, ly}, cv::FONT_HERSHEY_SIMPLEX, 0.42,
                cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
  }
  if (seq.emotion) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "emotion: %s %.2f", std::string(emotion_name(seq.emotion->label)).c_str(),
                  seq.emotion->intensity);
    cv::putText(img, buf, {left + plot_w + 12, top + 20 + 20 * int(channels.size()) + 10}, cv::FONT_HERSHEY_SIMPLEX,
                0.42, cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
  }

  std::vector<uchar> bytes;
  if (!cv::imencode(".png", img, bytes)) throw output_error(png.string(), "cannot encode the PNG");
  AtomicFile out(png);
  {
    std::ofstream f(out.temp_path(), std::ios::binary);
    f.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    if (!f) throw output_error(png.string(), "cannot write the file");
  }
  out.commit();
}

}  // namespace auhead
