// The person's silhouette in a photo: MediaPipe's selfie segmentation model
// (models/face/selfie_segmentation.tflite, 256×256 in, one probability per pixel out) run on the
// TFLite interpreter. The warp renderer uses it to keep the background outside the head still.
#pragma once
#include <filesystem>
#include <memory>

#include <opencv2/core.hpp>

namespace auhead::face {

class TfliteInterpreter;

class PersonSegmenter {
 public:
  // Loads and checks the model (input 1×256×256×3, output 256×256 with one channel); input
  // errors name the file.
  explicit PersonSegmenter(const std::filesystem::path& model_file);
  ~PersonSegmenter();
  PersonSegmenter(PersonSegmenter&&) noexcept;

  // rgb: 8-bit RGB, any size. Returns CV_32FC1 of the same size: the probability that each pixel
  // shows the person (face, hair, body), 0..1. The image is stretched to the model's square input,
  // as MediaPipe's own graph does, and the mask stretched back.
  cv::Mat segment(const cv::Mat& rgb) const;

  // The model in default_face_models_dir(), loaded once per process.
  static const PersonSegmenter& shared();

 private:
  std::unique_ptr<TfliteInterpreter> net_;
  int input_h_ = 0, input_w_ = 0;
};

}  // namespace auhead::face
