// Geometry of the mouth's (and the eyes') lid and lip lines in frame pixels, shared by the mouth
// interior and the photo's own teeth: the polygon between two lines, and a line's height at a column.
#pragma once
#include <array>
#include <vector>

#include <opencv2/core.hpp>

namespace auhead::render::warp {

// The closed polygon along `forward` (landmark indices, corner to corner) and back along `back`,
// rounded to whole pixels: e.g. the outer lip line's upper and lower paths give the lips' outline.
std::vector<cv::Point> opening_polygon(const std::vector<cv::Point2f>& face, const std::array<int, 11>& forward,
                                       const std::array<int, 11>& back);

// The y of the line through `path`'s landmarks at column x (linear between neighbouring points),
// NaN where the line does not reach x.
float line_y_at(const std::array<int, 11>& path, const std::vector<cv::Point2f>& face, float x);

}  // namespace auhead::render::warp
