// Glasses in a portrait (issue #14: rigid things stay rigid). The warp bends whatever lies on the skin
// it moves; a frame of glasses sits on the nose and must not bend with the brows. This finds the
// frames from the landmarks and the image alone (no model ships one): in a picture rectified to the
// eye line, thin dark structures (a morphological black-hat) that surround both eyes at lens distance
// and cross the nose between them. It returns their pixels, to be moved rigidly with the skull.
#pragma once
#include <vector>

#include <opencv2/core.hpp>

namespace auhead::face {

struct GlassesFrames {
  bool found = false;
  cv::Mat mask;          // CV_32F 0..1, the image's size: frame pixels (soft edge); empty when not found
  float ring_cover = 0;  // fraction of the directions around the eyes in which a frame edge was met
  float bridge = 0;      // the strongest dark structure across the nose between the eyes (0..255 levels)
  float threshold = 0;   // the level a frame edge must reach on this picture (from its skin texture)
};

// `rgb`: 8-bit RGB; `landmarks`: its 468 FaceMesh points in the same pixels.
GlassesFrames find_glasses(const cv::Mat& rgb, const std::vector<cv::Point2f>& landmarks);

// Draws a pair of glasses onto `rgb` around the eyes of `landmarks` (two rounded lenses, a bridge),
// for the tests and bench/bench_glasses: the frame's true pixels are returned (CV_8U 0/255) to score
// find_glasses against. `thick`: a dark plastic frame (5 % of the eye distance); else thin metal (2 %).
cv::Mat draw_test_glasses(cv::Mat& rgb, const std::vector<cv::Point2f>& landmarks, bool thick);

}  // namespace auhead::face
