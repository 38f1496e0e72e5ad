// AuSequence validation and resampling (file formats live in au_json.cpp, au_csv.cpp, openface_import.cpp).
#include <algorithm>
#include <cmath>

#include "au/number_format.h"
#include "auhead/au_sequence.h"
#include "auhead/error.h"

namespace auhead {

void AuSequence::validate(const std::string& source) const {
  if (!(fps >= kMinAuFps && fps <= kMaxAuFps))
    throw input_error(source, "fps must be between " + format_number(kMinAuFps) + " and " + format_number(kMaxAuFps) +
                                  ", got " + format_number(fps));
  if (frames.empty()) throw input_error(source, "contains no frames");
  if (frames.size() > kMaxAuFrames)
    throw input_error(source, std::to_string(frames.size()) + " frames, more than the " + std::to_string(kMaxAuFrames) +
                                  " an AU sequence may have");
  if (emotion && !(emotion->intensity >= 0.f && emotion->intensity <= 1.f))
    throw input_error(source, "emotion intensity " + format_number(emotion->intensity) + " is outside [0, 1]");
  const int width = au_set_width(au_set);
  for (size_t f = 0; f < frames.size(); ++f) {
    for (int a = 0; a < kNumAus; ++a) {
      float v = frames[f][a];
      std::string where = "frame " + std::to_string(f) + ", AU " + std::to_string(a) + " (" +
                          std::string(au_table()[a].name) + ")";
      if (std::isnan(v)) throw input_error(source, where + ": value is NaN");
      if (!(v >= 0.f && v <= 1.f)) throw input_error(source, where + ": value " + format_number(v) + " is outside [0, 1]");
      if (a >= width && v != 0.f)
        throw input_error(source, where + ": channel is not part of the " + std::string(au_set_name(au_set)) + " AU set");
    }
  }
  if (!head_pose.empty() && head_pose.size() != frames.size())
    throw input_error(source, "head_pose has " + std::to_string(head_pose.size()) + " entries for " +
                                  std::to_string(frames.size()) + " frames");
  for (size_t f = 0; f < head_pose.size(); ++f)
    for (float v : head_pose[f])
      if (!(std::abs(v) <= 90.f))
        throw input_error(source, "frame " + std::to_string(f) + ": head pose angle " + format_number(v) +
                                      " is not within ±90 degrees");
}

namespace {
// Fritsch–Carlson slopes for unit-spaced samples: monotone, no overshoot.
std::vector<double> pchip_slopes(const std::vector<double>& y) {
  const size_t n = y.size();
  std::vector<double> m(n, 0.0);
  if (n < 2) return m;
  std::vector<double> d(n - 1);
  for (size_t i = 0; i + 1 < n; ++i) d[i] = y[i + 1] - y[i];
  if (n == 2) {
    m[0] = m[1] = d[0];
    return m;
  }
  for (size_t i = 1; i + 1 < n; ++i) {
    if (d[i - 1] * d[i] <= 0) {
      m[i] = 0;
    } else {
      m[i] = 2.0 / (1.0 / d[i - 1] + 1.0 / d[i]);  // harmonic mean (equal spacing)
    }
  }
  // One-sided three-point ends, limited to keep monotonicity.
  auto end_slope = [](double d0, double d1) {
    double s = (3 * d0 - d1) / 2;
    if (s * d0 <= 0) return 0.0;
    if (d0 * d1 <= 0 && std::abs(s) > std::abs(3 * d0)) return 3 * d0;
    return s;
  };
  m[0] = end_slope(d[0], d[1]);
  m[n - 1] = end_slope(d[n - 2], d[n - 3]);
  return m;
}

double pchip_eval(const std::vector<double>& y, const std::vector<double>& m, double x) {
  const size_t n = y.size();
  if (n == 1) return y[0];
  x = std::clamp(x, 0.0, double(n - 1));
  size_t i = std::min(size_t(x), n - 2);
  double t = x - double(i);
  double t2 = t * t, t3 = t2 * t;
  double h00 = 2 * t3 - 3 * t2 + 1, h10 = t3 - 2 * t2 + t, h01 = -2 * t3 + 3 * t2, h11 = t3 - t2;
  return h00 * y[i] + h10 * m[i] + h01 * y[i + 1] + h11 * m[i + 1];
}
}  // namespace

AuSequence resample(const AuSequence& seq, double to_fps, const std::string& source) {
  if (!(to_fps >= kMinAuFps && to_fps <= kMaxAuFps))
    throw usage_error("fps must be between " + format_number(kMinAuFps) + " and " + format_number(kMaxAuFps) + ", got " +
                      format_number(to_fps));
  if (!(seq.fps > 0)) throw input_error(source, "fps must be positive, got " + format_number(seq.fps));
  const double n_new = std::round(double(seq.frames.size()) * to_fps / seq.fps);
  if (n_new > double(kMaxAuFrames))
    throw input_error(source, "resampling " + std::to_string(seq.frames.size()) + " frames from " + format_number(seq.fps) +
                                  " to " + format_number(to_fps) + " fps would make more than " +
                                  std::to_string(kMaxAuFrames) + " frames");
  AuSequence out = seq;
  out.fps = to_fps;
  if (seq.frames.empty() || to_fps == seq.fps) return out;
  const size_t n_in = seq.frames.size();
  const size_t n_out = std::max<size_t>(1, size_t(std::llround(double(n_in) * to_fps / seq.fps)));
  out.frames.assign(n_out, AuFrame{});
  std::vector<double> y(n_in);
  for (int a = 0; a < kNumAus; ++a) {
    for (size_t i = 0; i < n_in; ++i) y[i] = seq.frames[i][a];
    auto m = pchip_slopes(y);
    for (size_t k = 0; k < n_out; ++k) {
      double v = pchip_eval(y, m, double(k) * seq.fps / to_fps);
      out.frames[k][a] = float(std::clamp(v, 0.0, 1.0));
    }
  }
  if (!seq.head_pose.empty()) {
    out.head_pose.assign(n_out, {0.f, 0.f, 0.f});
    for (int c = 0; c < 3; ++c) {
      for (size_t i = 0; i < n_in; ++i) y[i] = seq.head_pose[i][c];
      auto m = pchip_slopes(y);
      for (size_t k = 0; k < n_out; ++k) out.head_pose[k][c] = float(pchip_eval(y, m, double(k) * seq.fps / to_fps));
    }
  }
  return out;
}

}  // namespace auhead
