#include "geometry/au_region_maps.h"

#include <algorithm>
#include <cmath>

#include "geometry/au_basis.h"
#include "geometry/au_deformer.h"

namespace auhead::geometry {

AuRegionMapper::AuRegionMapper(const AuDeformer& deformer, float sigma_cm) {
  for (const auto& g : deformer.basis().groups) {
    names_.push_back(g.name);
    group_aus_.push_back(g.aus);
  }
  const auto& fields = deformer.fields();
  for (int k = 0; k < kNumAus; ++k) {
    std::vector<float> mag(kMeshPoints);
    float mx = 0;
    for (int v = 0; v < kMeshPoints; ++v) mx = std::max(mx, mag[v] = float(cv::norm(fields.au[k][v])));
    for (auto& m : mag) {
      m = mx > 0 ? m / mx : 0.f;
      if (m < 0.2f) m = 0;
    }
    footprint_.push_back(std::move(mag));
  }
  sigma_px_ = float(sigma_cm * deformer.face().alignment.canonical_to_image.scale);
}

std::vector<cv::Mat> AuRegionMapper::render(const AuFrame& aus, const std::vector<cv::Point3f>& lm,
                                            const cv::Matx23d& t, cv::Size size) const {
  double out_scale = std::sqrt(std::abs(t(0, 0) * t(1, 1) - t(0, 1) * t(1, 0)));
  float sigma = std::max(0.5f, float(sigma_px_ * out_scale));
  int reach = int(std::ceil(3 * sigma));
  std::vector<cv::Mat> maps;
  for (size_t g = 0; g < group_aus_.size(); ++g) {
    cv::Mat m(size, CV_32F, cv::Scalar(0));
    for (int v = 0; v < kMeshPoints && v < int(lm.size()); ++v) {
      float amp = 0;
      for (int k : group_aus_[g]) amp = std::max(amp, std::clamp(aus[k], 0.f, 1.f) * footprint_[k][v]);
      if (amp < 1e-3f) continue;
      // Output pixel coordinates with pixel centres at +0.5.
      double x = t(0, 0) * lm[v].x + t(0, 1) * lm[v].y + t(0, 2);
      double y = t(1, 0) * lm[v].x + t(1, 1) * lm[v].y + t(1, 2);
      int xa = std::max(0, int(x) - reach), xb = std::min(size.width - 1, int(x) + reach);
      int ya = std::max(0, int(y) - reach), yb = std::min(size.height - 1, int(y) + reach);
      float inv = 1.f / (2 * sigma * sigma);
      for (int py = ya; py <= yb; ++py) {
        float* row = m.ptr<float>(py);
        float dy = float(py + 0.5 - y);
        for (int px = xa; px <= xb; ++px) {
          float dx = float(px + 0.5 - x);
          float val = amp * std::exp(-(dx * dx + dy * dy) * inv);
          if (val > row[px]) row[px] = val;
        }
      }
    }
    maps.push_back(m);
  }
  return maps;
}

cv::Vec3b AuRegionMapper::group_colour(int g) {
  static const cv::Vec3b colours[] = {{255, 170, 0}, {255, 60, 60}, {0, 220, 120}, {255, 255, 0},
                                      {255, 40, 200}, {0, 170, 255}, {160, 90, 255}, {230, 230, 230}};
  return colours[g % 8];
}

cv::Mat AuRegionMapper::colorize(const std::vector<cv::Mat>& maps) {
  if (maps.empty()) return {};
  cv::Mat acc(maps[0].size(), CV_32FC3, cv::Scalar::all(0));
  for (size_t g = 0; g < maps.size(); ++g) {
    cv::Vec3b c = group_colour(int(g));
    for (int y = 0; y < acc.rows; ++y) {
      const float* m = maps[g].ptr<float>(y);
      cv::Vec3f* a = acc.ptr<cv::Vec3f>(y);
      for (int x = 0; x < acc.cols; ++x)
        if (m[x] > 0) a[x] += cv::Vec3f(c[0], c[1], c[2]) * m[x];
    }
  }
  cv::Mat out;
  acc.convertTo(out, CV_8UC3);  // saturates
  return out;
}

}  // namespace auhead::geometry
