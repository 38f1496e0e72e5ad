// Where the portrait sits in the output frame, one module for the warp renderer, the diffusion
// renderer and `auhead eval`, so that they place it identically:
//  - the framing: the square crop of the portrait that becomes the size × size output — the face's
//    landmark box scaled up around its centre (a little below it, to keep the neck), padded with the
//    edge colour where it runs past the image (fading into a blur of it, so no streaks), resampled to
//    the output size once per video;
//  - the face in the frame, and the head's rotation centre (pivot) and width for head motion.
// Coordinates are continuous (pixel-area): the frame spans [0, size]², pixel (i, j) covers
// [i, i+1) × [j, j+1) and its centre is (i + 0.5, j + 0.5). Code that indexes pixel centres (the warp
// renderer's maps, cv::remap) takes the same points less half a pixel: pixel_centre().
#pragma once
#include <vector>

#include <opencv2/core.hpp>

namespace auhead::render {

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

// A continuous point as pixel-centre (index) coordinates.
inline cv::Point2f pixel_centre(const cv::Point2f& p) { return p - cv::Point2f(0.5f, 0.5f); }
inline cv::Point3f pixel_centre(const cv::Point3f& p) { return p - cv::Point3f(0.5f, 0.5f, 0.f); }

struct PortraitScene {
  Framing framing;
  std::vector<cv::Point2f> face;  // the portrait's landmarks in the frame
  // Head motion turns the face about this point: at the middle of the face's width, 80 % of the way
  // down its landmark box (the neck), 0.65 face widths behind the landmarks' mean depth (z scaled to
  // frame pixels, + away from the viewer).
  cv::Point3f pivot;
  float face_width = 0;  // the landmark box's width in frame pixels: the unit of head shifts
};

// `landmarks`: the face's mesh points in continuous portrait coordinates (z in the mesh's units, which
// scale with x and y).
PortraitScene place_portrait(const cv::Mat& portrait_rgb, const std::vector<cv::Point3f>& landmarks, int size,
                             const FramingOptions& options = {});

}  // namespace auhead::render
