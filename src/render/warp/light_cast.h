// The colour of the light on a photo, read from something white in it (the eyes' sclera): what a
// drawn white takes to be lit like the face, and what a colour test divides out to see the scene's
// own colours (a blue-lit photo's teeth are blue, not a colour of their own).
#pragma once
#include <algorithm>

#include <opencv2/core.hpp>

namespace auhead::render::warp {

// The white reference's colour over its mean, each channel within 0.75..1.25; all 1 for an unknown
// (zero), dark or black reference.
inline cv::Vec3f light_cast(const cv::Vec3f& white) {
  const float mean = (white[0] + white[1] + white[2]) / 3.f;
  if (!(mean > 40.f)) return {1.f, 1.f, 1.f};
  cv::Vec3f cast;
  for (int k = 0; k < 3; ++k) cast[k] = std::clamp(white[k] / mean, 0.75f, 1.25f);
  return cast;
}

// `rgb` as it would look under white light: each channel divided by the cast of `white` (`rgb` itself,
// not a copy, when there is no cast).
inline cv::Mat under_white_light(const cv::Mat& rgb, const cv::Vec3f& white) {
  const cv::Vec3f cast = light_cast(white);
  if (cast == cv::Vec3f(1, 1, 1)) return rgb;
  cv::Mat balanced;  // a new image: the photo itself is not touched
  cv::multiply(rgb, cv::Scalar(1 / cast[0], 1 / cast[1], 1 / cast[2]), balanced);
  return balanced;
}

}  // namespace auhead::render::warp
