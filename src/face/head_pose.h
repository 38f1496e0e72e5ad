// Head pose and the similarity alignment of a 468-point mesh to MediaPipe's canonical face: a
// weighted Umeyama fit landmarks ≈ s·R·canonical + t, from which yaw, pitch and roll are read.
#pragma once
#include <vector>

#include <opencv2/core.hpp>

#include "face/canonical_face.h"

namespace auhead::face {

// x ↦ scale · rotation · x + translation.
struct Similarity3 {
  double scale = 1;
  cv::Matx33d rotation = cv::Matx33d::eye();
  cv::Vec3d translation{0, 0, 0};

  cv::Point3d apply(const cv::Point3d& p) const;
  cv::Point3d invert(const cv::Point3d& p) const;
};

// Degrees. yaw > 0: the face turns toward the viewer's right (the subject's left);
// pitch > 0: chin up; roll > 0: the face turns counter-clockwise as seen in the image.
struct HeadPose {
  double yaw = 0, pitch = 0, roll = 0;
};

struct FaceAlignment {
  // Canonical face (cm, in image axes: x right, y down, z away from the viewer) → image landmarks
  // (pixels, z in pixels). Its rotation is the head rotation.
  Similarity3 canonical_to_image;
  HeadPose pose;
  // The landmarks mapped into the canonical face's own frame (cm; x right, y up, z toward the
  // viewer): pose- and scale-free, comparable with CanonicalFace::vertices.
  std::vector<cv::Point3f> aligned;
  double rms_cm = 0;  // weighted RMS residual of the fit, in canonical cm
};

// Weighted least-squares similarity from→to (Umeyama 1991), no reflection.
Similarity3 fit_similarity(const std::vector<cv::Point3d>& from, const std::vector<cv::Point3d>& to,
                           const std::vector<double>& weights);

// Euler angles of a rotation given in image axes (x right, y down, z away).
HeadPose pose_from_rotation(const cv::Matx33d& rotation_image_axes);

// landmarks: 468 points in image pixels (x, y) with z depth in pixels (+ away from the viewer).
FaceAlignment align_to_canonical(const std::vector<cv::Point3f>& landmarks, const CanonicalFace& canonical);

}  // namespace auhead::face
