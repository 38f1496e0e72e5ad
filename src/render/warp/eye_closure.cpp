#include "render/warp/eye_closure.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "render/warp/face_regions.h"
#include "render/warp/meeting_line.h"

namespace auhead::render::warp {

namespace {

template <std::size_t N>
float opening(const Opening<N>& o, const std::vector<cv::Point2f>& f) {
  float s = 0;
  for (std::size_t i = 1; i + 1 < N; ++i) s += float(cv::norm(f[o.upper[i]] - f[o.lower[i]]));
  return s / float(N - 2);
}

}  // namespace

std::pair<float, float> EyeClosure::openings(const std::vector<cv::Point2f>& face) {
  return {opening(kRightEye, face), opening(kLeftEye, face)};
}

EyeClosure::EyeClosure(const cv::Mat& framed, const std::vector<cv::Point2f>& face) {
  auto [r, l] = openings(face);
  open_[0] = r, open_[1] = l;
  // Lash colour: the darkest tone along the upper lid line, darkened further.
  cv::Vec3f sum(0, 0, 0);
  int n = 0;
  for (int i : kRightEye.upper) {
    cv::Point p(cvRound(face[i].x), cvRound(face[i].y));
    if (p.inside(cv::Rect(0, 0, framed.cols, framed.rows))) {
      cv::Vec3b c = framed.at<cv::Vec3b>(p);
      sum += cv::Vec3f(c[0], c[1], c[2]);
      ++n;
    }
  }
  lash_ = n ? sum * (0.45f / n) : cv::Vec3f(40, 30, 28);
}

void EyeClosure::compose(cv::Mat& frame, const std::vector<cv::Point2f>& face) const {
  auto [r, l] = openings(face);
  auto closure = [](float now, float was) {
    if (was < 0.5f) return 0.f;
    float c = 1.f - now / was;
    return std::clamp((c - 0.55f) / 0.4f, 0.f, 1.f);
  };
  float cr = closure(r, open_[0]), cl = closure(l, open_[1]);
  // The lash line, and under it a wider, fainter band: the lashes of the closed upper lid lie over
  // the lower lid's rim, which would otherwise show as a pale sliver under the line.
  auto lashes = [&](std::vector<cv::Point2f> line, int cheek, float strength) {
    line = smooth_stroke(line);
    cv::Point2f chord = line.back() - line.front(), mid = line[line.size() / 2];
    cv::Point2f down(-chord.y, chord.x);  // as long as the chord
    if (down.dot(face[std::size_t(cheek)] - mid) < 0) down = -down;
    std::vector<cv::Point2f> under = line;
    for (auto& p : under) p += down * 0.035f;  // 3.5 % of the eye's length
    draw_meeting_line(frame, under, 0.08f, lash_, 0.3f * strength);
    draw_meeting_line(frame, line, 0.045f, lash_, 0.55f * strength);
  };
  if (cr > 0) lashes(opening_midline(kRightEye, face), 118, cr);
  if (cl > 0) lashes(opening_midline(kLeftEye, face), 347, cl);
}

}  // namespace auhead::render::warp
