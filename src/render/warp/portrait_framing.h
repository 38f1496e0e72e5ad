// The square crop of the portrait that becomes the size × size output: the face's landmark box
// scaled up around its centre (a little below it, to keep the neck), padded with the edge colour
// where it runs past the image (fading into a blur of it, so no streaks), resampled to the output
// size once per video.
#pragma once
#include <vector>

#include <opencv2/core.hpp>

namespace auhead::render::warp {

struct Framing {
  cv::Mat image;                 // size × size RGB CV_8UC3: the portrait in the output frame
  cv::Matx23d portrait_to_frame; // continuous image coordinates → continuous frame coordinates
  double scale = 1;              // frame pixels per portrait pixel

  // Continuous portrait coordinates (the image spans [0, w] × [0, h]) → continuous frame coordinates.
  cv::Point2f map(const cv::Point2f& p) const;
};

struct FramingOptions {
  double face_scale = 2.2;     // crop side / larger side of the landmark box
  double min_face_scale = 1.45;  // the least it shrinks to for a photo too tight for face_scale
  double center_down = 0.12;   // crop centre below the box centre, in box heights
};

// The tight box around points (continuous, not rounded to pixels).
cv::Rect2f point_bounds(const std::vector<cv::Point2f>& points);

// `landmarks`: the face's mesh points in continuous portrait coordinates.
Framing frame_portrait(const cv::Mat& portrait_rgb, const std::vector<cv::Point2f>& landmarks, int size,
                       const FramingOptions& options = {});

}  // namespace auhead::render::warp
