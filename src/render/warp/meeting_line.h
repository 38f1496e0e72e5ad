// The line where two lids or two lips meet, drawn as a thin soft stroke of one colour: the eye's lash
// line when it closes, the lips' seam when a portrait's parted lips are brought together.
#pragma once
#include <vector>

#include <opencv2/core.hpp>

#include "render/warp/face_regions.h"

namespace auhead::render::warp {

// Blends `colour` into `frame` along the polyline `line` (frame pixels), `width` of the line's
// length thick (at least 1 px), at opacity `strength`.
void draw_meeting_line(cv::Mat& frame, const std::vector<cv::Point2f>& line, float width, const cv::Vec3f& colour,
                       float strength);

// The midline of an opening: halfway between each paired upper and lower point.
template <std::size_t N>
std::vector<cv::Point2f> opening_midline(const Opening<N>& o, const std::vector<cv::Point2f>& face) {
  std::vector<cv::Point2f> line;
  for (std::size_t i = 0; i < N; ++i) line.push_back((face[o.upper[i]] + face[o.lower[i]]) * 0.5f);
  return line;
}

}  // namespace auhead::render::warp
