// The landmark image of docs/design.md §7.1: the (deformed) 468-point mesh drawn AniPortrait-style —
// face oval, brows, eyes, lips and nose as 2-px antialiased lines on black, one colour per part —
// at the output size, through a portrait-pixels → output-pixels affine transform.
#pragma once
#include <array>
#include <string_view>
#include <vector>

#include <opencv2/core.hpp>

namespace auhead::geometry {

enum class FacePart { oval, brow_left, brow_right, eye_left, eye_right, lips_outer, lips_inner, nose };
inline constexpr int kNumFaceParts = 8;

struct FacePartInfo {
  FacePart part;
  std::string_view name;
  cv::Vec3b rgb;                           // line colour, RGB
  std::vector<std::vector<int>> polylines; // MediaPipe FaceMesh indices
  bool closed;                             // draw each polyline as a closed loop
};

// The parts in drawing order ("left" = the subject's left).
const std::array<FacePartInfo, kNumFaceParts>& face_parts();

// A square crop around the face: the landmarks' bounding box centre, side = `scale` × its larger
// side, mapped onto `size` (which need not be square: the crop keeps the aspect of `size`).
cv::Matx23d face_crop_transform(const std::vector<cv::Point3f>& landmarks, cv::Size size, double scale = 1.6);
// The whole portrait scaled to fit `size`, centred (letterboxed).
cv::Matx23d fit_image_transform(cv::Size image, cv::Size size);

// Draws the landmark image: CV_8UC3, RGB, black background. `to_output` maps portrait pixels to
// output pixels; `thickness` is in output pixels.
cv::Mat draw_landmark_image(const std::vector<cv::Point3f>& landmarks, const cv::Matx23d& to_output,
                            cv::Size size, int thickness = 2);

}  // namespace auhead::geometry
