// BlazeFace short-range face detector (MediaPipe face_detection_short_range.tflite): finds faces
// with their 6 keypoints in an RGB image; boxes and keypoints come back in image pixels.
#pragma once
#include <array>
#include <filesystem>
#include <memory>
#include <vector>

#include <opencv2/core.hpp>

namespace auhead::face {

class TfliteInterpreter;

// Keypoint order of the detector (the subject's left and right).
enum FaceKeypoint { right_eye = 0, left_eye = 1, nose_tip = 2, mouth_center = 3,
                    right_ear_tragion = 4, left_ear_tragion = 5 };

struct FaceDetection {
  cv::Rect2f box;                        // image pixels (continuous: the image spans [0,w]×[0,h])
  std::array<cv::Point2f, 6> keypoints;  // image pixels, FaceKeypoint order
  float score = 0;                       // sigmoid of the classifier logit
};

class FaceDetector {
 public:
  explicit FaceDetector(const std::filesystem::path& model_file);
  ~FaceDetector();
  FaceDetector(FaceDetector&&) noexcept;

  // rgb: 8-bit, 3-channel RGB, any size. Returns the faces above min_score after weighted
  // non-maximum suppression, highest score first.
  std::vector<FaceDetection> detect(const cv::Mat& rgb) const;

  float min_score = 0.5f;              // MediaPipe's min_score_thresh
  float min_suppression_iou = 0.3f;    // MediaPipe's min_suppression_threshold

 private:
  std::unique_ptr<TfliteInterpreter> net_;
  std::vector<cv::Point2f> anchors_;   // normalised anchor centres (fixed size 1×1)
};

}  // namespace auhead::face
