#include "face/person_segmenter.h"

#include <torch/torch.h>

#include <mutex>
#include <stdexcept>

#include <opencv2/imgproc.hpp>

#include "auhead/error.h"
#include "face/face_analyzer.h"
#include "face/tflite_interpreter.h"
#include "face/tflite_model.h"

namespace auhead::face {

PersonSegmenter::PersonSegmenter(const std::filesystem::path& model_file)
    : net_(std::make_unique<TfliteInterpreter>(TfliteModel::load(model_file))) {
  const auto& in = net_->input_shape();
  if (in.size() != 4 || in[0] != 1 || in[3] != 3 || in[1] < 16 || in[2] < 16)
    throw input_error(model_file.string(), "not a selfie segmentation model (input is not 1×H×W×3)");
  input_h_ = in[1];
  input_w_ = in[2];
  // One run on grey checks the output's size before any portrait depends on it.
  auto out = net_->run(torch::full({1, input_h_, input_w_, 3}, 0.5f));
  if (out.size() != 1 || out[0].numel() != int64_t(input_h_) * input_w_)
    throw input_error(model_file.string(), "not a selfie segmentation model (output is not one channel of H×W)");
}
PersonSegmenter::~PersonSegmenter() = default;
PersonSegmenter::PersonSegmenter(PersonSegmenter&&) noexcept = default;

cv::Mat PersonSegmenter::segment(const cv::Mat& rgb) const {
  if (rgb.empty() || rgb.type() != CV_8UC3) throw std::invalid_argument("PersonSegmenter: need 8-bit RGB");
  cv::Mat small, input;
  cv::resize(rgb, small, cv::Size(input_w_, input_h_), 0, 0, cv::INTER_AREA);
  small.convertTo(input, CV_32FC3, 1.0 / 255.0);  // the model takes RGB in [0, 1]
  torch::Tensor x = torch::from_blob(input.data, {1, input_h_, input_w_, 3}, torch::kFloat32);
  torch::Tensor y = net_->run(x).at(0).reshape({input_h_, input_w_}).clamp(0, 1).contiguous();
  cv::Mat mask(input_h_, input_w_, CV_32F, y.data_ptr<float>()), out;
  cv::resize(mask, out, rgb.size(), 0, 0, cv::INTER_LINEAR);
  return out;
}

const PersonSegmenter& PersonSegmenter::shared() {
  static std::once_flag once;
  static std::unique_ptr<PersonSegmenter> instance;
  std::call_once(once, [] {
    instance = std::make_unique<PersonSegmenter>(default_face_models_dir() / "selfie_segmentation.tflite");
  });
  return *instance;
}

}  // namespace auhead::face
