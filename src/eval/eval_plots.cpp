#include "eval/eval_plots.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include <opencv2/imgproc.hpp>

#include "media/image_io.h"

namespace fs = std::filesystem;

namespace auhead::eval {

void write_lipsync_plot(const fs::path& png, const std::vector<double>& mouth, const std::vector<double>& env,
                        const std::vector<double>& open, double fps) {
  const int n = int(mouth.size());
  const int w = std::clamp(int(n / fps * 150), 900, 8000), h = 360, pad = 40;
  cv::Mat img(h, w, CV_8UC3, cv::Scalar(255, 255, 255));
  auto draw = [&](const std::vector<double>& v, cv::Scalar colour, int band) {
    if (v.empty()) return;
    double lo = 1e300, hi = -1e300;
    for (double x : v)
      if (!std::isnan(x)) lo = std::min(lo, x), hi = std::max(hi, x);
    if (!(hi > lo)) hi = lo + 1;
    const int top = pad + band * (h - 2 * pad) / 3, bh = (h - 2 * pad) / 3 - 10;
    cv::line(img, {pad, top + bh}, {w - pad, top + bh}, cv::Scalar(200, 200, 200));
    for (int i = 1; i < int(v.size()); ++i) {
      if (std::isnan(v[i]) || std::isnan(v[i - 1])) continue;
      auto pt = [&](int k) {
        return cv::Point(pad + int(double(k) / std::max(1, n - 1) * (w - 2 * pad)),
                         top + bh - int((v[k] - lo) / (hi - lo) * bh));
      };
      cv::line(img, pt(i - 1), pt(i), colour, 2, cv::LINE_AA);
    }
  };
  draw(mouth, cv::Scalar(200, 40, 40), 0);
  draw(env, cv::Scalar(40, 120, 40), 1);
  draw(open, cv::Scalar(40, 40, 200), 2);
  cv::putText(img, "mouth opening (measured)", {pad, pad - 8}, cv::FONT_HERSHEY_SIMPLEX, 0.5, cv::Scalar(200, 40, 40));
  cv::putText(img, "audio energy (dB)", {pad, pad + (h - 2 * pad) / 3 - 2}, cv::FONT_HERSHEY_SIMPLEX, 0.5,
              cv::Scalar(40, 120, 40));
  cv::putText(img, "phone openness", {pad, pad + 2 * (h - 2 * pad) / 3 - 2}, cv::FONT_HERSHEY_SIMPLEX, 0.5,
              cv::Scalar(40, 40, 200));
  for (int s = 0; s <= int(n / fps); ++s) {
    const int x = pad + int(s * fps / std::max(1, n - 1) * (w - 2 * pad));
    cv::putText(img, std::to_string(s) + "s", {x, h - 12}, cv::FONT_HERSHEY_SIMPLEX, 0.4, cv::Scalar(80, 80, 80));
  }
  media::write_png(png, img);
}


std::vector<int> plotted_aus(const AuSequence& measured, const AuSequence* truth) {
  std::vector<std::pair<float, int>> peak;
  for (int au = 0; au < kNumAus; ++au) {
    float m = 0;
    for (const auto& f : measured.frames) m = std::max(m, f[au]);
    if (truth)
      for (const auto& f : truth->frames) m = std::max(m, f[au]);
    if (m >= 0.1f) peak.push_back({-m, au});
  }
  if (peak.empty()) return {};
  std::sort(peak.begin(), peak.end());
  if (peak.size() > 12) peak.resize(12);
  std::vector<int> aus;
  for (const auto& [m, au] : peak) aus.push_back(au);
  std::sort(aus.begin(), aus.end());
  return aus;
}

}  // namespace auhead::eval
