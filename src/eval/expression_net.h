// The 7-class facial expression network of npm @vladmandic/face-api (FaceExpressionNet: a DenseNet-
// like feature extractor of depthwise-separable convs on 112×112 input + one fully connected layer),
// re-implemented on libtorch and loaded from its TF.js weights manifest; used to score emotion.
#pragma once
#include <array>
#include <filesystem>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include <opencv2/core.hpp>

#include "auhead/au.h"

namespace auhead::eval {

inline constexpr int kExpressionClasses = 7;
// face-api's class order (FACE_EXPRESSION_LABELS).
inline constexpr std::array<std::string_view, kExpressionClasses> kExpressionLabels = {
    "neutral", "happy", "sad", "angry", "fearful", "disgusted", "surprised"};
using ExpressionProbs = std::array<float, kExpressionClasses>;

// face-api class → our label (fearful → fear; the rest by name). Our `contempt` has no class.
Emotion expression_to_emotion(int cls);
// Our label → face-api class, nullopt for contempt.
std::optional<int> emotion_to_expression(Emotion e);

// models_dir()/face-api (core/data_path.h; scripts/setup.d/40-face-api.sh).
std::filesystem::path default_face_api_dir();

// One weight tensor of a TF.js manifest, dequantised to float (value = q · scale + min).
struct TfjsWeight {
  std::string name;
  std::vector<int64_t> shape;
  std::vector<float> values;
};
// Reads a TF.js weights manifest and its .bin shards (float32, or uint8/uint16-quantised).
// Problems are input errors naming the file; a missing manifest is an unavailable error.
std::vector<TfjsWeight> read_tfjs_weights(const std::filesystem::path& manifest);

class ExpressionNet {
 public:
  // `dir` holds face_expression_model-weights_manifest.json and face_expression_model.bin.
  explicit ExpressionNet(const std::filesystem::path& dir = default_face_api_dir());
  ~ExpressionNet();
  ExpressionNet(ExpressionNet&&) noexcept;

  // Softmax probabilities for face crops (8-bit RGB, any size: padded to a centred square with
  // black, as face-api does, then resized to 112×112).
  std::vector<ExpressionProbs> predict(const std::vector<cv::Mat>& faces_rgb) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The face crop face-api would classify: the landmarks' box (a detector box stand-in), clipped to
// the image.
cv::Rect expression_crop(const std::vector<cv::Point2f>& landmarks, cv::Size image);

}  // namespace auhead::eval
