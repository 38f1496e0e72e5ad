// MediaPipe FaceMesh (face_landmark.tflite, or the attention mesh face_landmark_with_attention.tflite,
// whose lip and eye contours replace the mesh's): 468 3-D landmarks from a rotated square crop of the
// face, mapped back to image pixels; plus MediaPipe's rules for the crop (from a detection or
// from a previous mesh).
#pragma once
#include <filesystem>
#include <memory>
#include <vector>

#include <opencv2/core.hpp>

#include "face/face_detector.h"

namespace auhead::face {

class TfliteInterpreter;

constexpr int kMeshPoints = 468;

// A square region of the image, rotated by `rotation` radians (the crop's x axis points along
// (cos r, sin r) in image pixels, y down).
struct FaceRoi {
  cv::Point2f center;  // image pixels (continuous)
  float size = 0;      // side, image pixels
  float rotation = 0;
};

struct MeshResult {
  std::vector<cv::Point3f> landmarks;  // kMeshPoints; x, y image pixels; z depth in pixels (+ away)
  float presence = 0;                  // sigmoid of the face-presence logit
};

class FaceMesh {
 public:
  // Either model; anything else (another input size or other outputs) is an input error naming the file.
  explicit FaceMesh(const std::filesystem::path& model_file);
  ~FaceMesh();
  FaceMesh(FaceMesh&&) noexcept;

  // True for the attention mesh (lips and eyes re-placed by its refinement heads).
  bool refines() const { return refines_; }

  // rgb: 8-bit 3-channel RGB image; roi: where the face is.
  MeshResult run(const cv::Mat& rgb, const FaceRoi& roi) const;

  // MediaPipe face_detection_front_detection_to_roi: box centre, rotation from the right-eye →
  // left-eye keypoints (target 0°), long side × 1.5.
  static FaceRoi roi_from_detection(const FaceDetection& d);
  // MediaPipe face_landmark_landmarks_to_roi: bounding box of the landmarks, rotation from
  // landmark 33 → 263 (eye outer corners), long side × 1.5.
  static FaceRoi roi_from_landmarks(const std::vector<cv::Point3f>& landmarks);

 private:
  std::unique_ptr<TfliteInterpreter> net_;
  bool refines_ = false;
};

}  // namespace auhead::face
