// The line where two lids or two lips meet, drawn as a thin soft stroke of one colour: the eye's lash
// line when it closes, the lips' seam when a portrait's parted lips are brought together.
#pragma once
#include <vector>

#include <opencv2/core.hpp>

#include "render/warp/face_regions.h"

namespace auhead::render::warp {

// Blends `colour` into `frame` along the polyline `line` (frame pixels): `width` of the line's length
// thick in the middle (at least 1 px), tapering to a third at the ends, at opacity `strength`.
void draw_meeting_line(cv::Mat& frame, const std::vector<cv::Point2f>& line, float width, const cv::Vec3f& colour,
                       float strength);

// A smooth stroke through `points` (ordered from one corner to the other): the corners are kept,
// and the offsets of the points in between from the corner-to-corner chord are fitted by
// u(1 − u)(a + b·u) (u: 0 → 1 along the chord), sampled at `samples` points. The midpoints of paired
// lid or lip points zigzag (the pairs are not straight across from each other), and a lash line
// drawn through them looks like a scribble; a closed lid's edge is one smooth arc.
std::vector<cv::Point2f> smooth_stroke(const std::vector<cv::Point2f>& points, int samples = 24);

// The midline of an opening: halfway between each paired upper and lower point.
template <std::size_t N>
std::vector<cv::Point2f> opening_midline(const Opening<N>& o, const std::vector<cv::Point2f>& face) {
  std::vector<cv::Point2f> line;
  for (std::size_t i = 0; i < N; ++i) line.push_back((face[o.upper[i]] + face[o.lower[i]]) * 0.5f);
  return line;
}

}  // namespace auhead::render::warp
