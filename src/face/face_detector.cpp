// BlazeFace short range, decoded as MediaPipe's face_detection_short_range graph does. Constants
// from that graph's public options: SsdAnchorsCalculator {num_layers 4, input 128×128, strides
// [8,16,16,16], anchor_offset 0.5, aspect_ratios [1.0], interpolated_scale_aspect_ratio 1.0,
// fixed_anchor_size true}; TensorsToDetectionsCalculator {896 boxes, 16 coords, 6 keypoints,
// x/y/w/h_scale 128, reverse_output_order, sigmoid_score, score_clipping_thresh 100,
// min_score_thresh 0.5}; NonMaxSuppressionCalculator {IoU, WEIGHTED, min_suppression 0.3}.
// The input is letterboxed to 128×128 (black border) and scaled to [-1, 1].
#include "face/face_detector.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "auhead/error.h"
#include "face/tflite_interpreter.h"

namespace auhead::face {

namespace {

constexpr int kInput = 128;
constexpr int kBoxes = 896;
constexpr int kCoords = 16;
constexpr float kScale = 128.f;

std::vector<cv::Point2f> make_anchors() {
  const int strides[] = {8, 16, 16, 16};
  const int num_layers = 4;
  std::vector<cv::Point2f> anchors;
  int layer = 0;
  while (layer < num_layers) {
    // Layers with the same stride share one feature map; each contributes 2 anchors per cell
    // (aspect ratio 1 and the interpolated scale), all of fixed size.
    int last = layer;
    int per_cell = 0;
    while (last < num_layers && strides[last] == strides[layer]) {
      per_cell += 2;
      ++last;
    }
    int fm = int(std::ceil(float(kInput) / strides[layer]));
    for (int y = 0; y < fm; ++y)
      for (int x = 0; x < fm; ++x)
        for (int a = 0; a < per_cell; ++a)
          anchors.emplace_back((x + 0.5f) / fm, (y + 0.5f) / fm);
    layer = last;
  }
  return anchors;
}

float iou(const cv::Rect2f& a, const cv::Rect2f& b) {
  float inter = (a & b).area();
  float uni = a.area() + b.area() - inter;
  return uni > 0 ? inter / uni : 0.f;
}

}  // namespace

FaceDetector::FaceDetector(const std::filesystem::path& model_file)
    : net_(std::make_unique<TfliteInterpreter>(TfliteModel::load(model_file))),
      anchors_(make_anchors()) {
  if (net_->input_shape() != std::vector<int32_t>{1, kInput, kInput, 3})
    throw input_error(model_file.string(), "not the BlazeFace short-range model (input is not 1×128×128×3)");
  if (anchors_.size() != size_t(kBoxes)) throw internal_error("BlazeFace anchor count");
}
FaceDetector::~FaceDetector() = default;
FaceDetector::FaceDetector(FaceDetector&&) noexcept = default;

std::vector<FaceDetection> FaceDetector::detect(const cv::Mat& rgb) const {
  if (rgb.empty() || rgb.type() != CV_8UC3) throw std::invalid_argument("FaceDetector: need 8-bit RGB");
  // Letterbox: scale the long side to 128, centre, black border.
  const float scale = float(kInput) / float(std::max(rgb.cols, rgb.rows));
  int w = std::clamp(int(std::lround(rgb.cols * scale)), 1, kInput);
  int h = std::clamp(int(std::lround(rgb.rows * scale)), 1, kInput);
  cv::Mat small;
  cv::resize(rgb, small, cv::Size(w, h), 0, 0, scale < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
  cv::Mat canvas(kInput, kInput, CV_8UC3, cv::Scalar::all(0));
  int ox = (kInput - w) / 2, oy = (kInput - h) / 2;
  small.copyTo(canvas(cv::Rect(ox, oy, w, h)));
  cv::Mat input;
  canvas.convertTo(input, CV_32FC3, 2.0 / 255.0, -1.0);

  torch::Tensor x = torch::from_blob(input.data, {1, kInput, kInput, 3}, torch::kFloat32);
  std::vector<torch::Tensor> out = net_->run(x);
  torch::Tensor reg = out.at(0).contiguous(), cls = out.at(1).contiguous();
  if (reg.numel() != kBoxes * kCoords || cls.numel() != kBoxes)
    throw internal_error("BlazeFace output sizes");
  const float* r = reg.data_ptr<float>();
  const float* c = cls.data_ptr<float>();

  // Decode in letterbox-normalised coordinates.
  std::vector<FaceDetection> cands;
  for (int i = 0; i < kBoxes; ++i) {
    float logit = std::clamp(c[i], -100.f, 100.f);
    float score = 1.f / (1.f + std::exp(-logit));
    if (score < min_score) continue;
    const float* b = r + i * kCoords;
    const cv::Point2f& a = anchors_[i];
    float cx = b[0] / kScale + a.x, cy = b[1] / kScale + a.y;
    float bw = b[2] / kScale, bh = b[3] / kScale;
    FaceDetection d;
    d.score = score;
    d.box = cv::Rect2f(cx - bw / 2, cy - bh / 2, bw, bh);
    for (int k = 0; k < 6; ++k)
      d.keypoints[k] = cv::Point2f(b[4 + 2 * k] / kScale + a.x, b[5 + 2 * k] / kScale + a.y);
    cands.push_back(d);
  }
  std::stable_sort(cands.begin(), cands.end(),
                   [](const FaceDetection& a, const FaceDetection& b) { return a.score > b.score; });

  // Weighted NMS: each kept face is the score-weighted mean of the boxes overlapping it.
  std::vector<FaceDetection> faces;
  std::vector<bool> used(cands.size(), false);
  for (size_t i = 0; i < cands.size(); ++i) {
    if (used[i]) continue;
    FaceDetection sum{};
    cv::Point2f tl(0, 0), br(0, 0);
    float total = 0;
    for (size_t j = i; j < cands.size(); ++j) {
      if (used[j] || iou(cands[i].box, cands[j].box) <= min_suppression_iou) continue;
      used[j] = true;
      float s = cands[j].score;
      total += s;
      tl += s * cands[j].box.tl();
      br += s * cands[j].box.br();
      for (int k = 0; k < 6; ++k) sum.keypoints[k] += s * cands[j].keypoints[k];
    }
    FaceDetection d = cands[i];
    if (total > 0) {
      tl /= total;
      br /= total;
      d.box = cv::Rect2f(tl, br);
      for (int k = 0; k < 6; ++k) d.keypoints[k] = sum.keypoints[k] / total;
    }
    faces.push_back(d);
  }

  // Letterbox removal: normalised 128-canvas coordinates → image pixels.
  auto to_image = [&](cv::Point2f p) {
    return cv::Point2f((p.x * kInput - ox) * float(rgb.cols) / float(w),
                       (p.y * kInput - oy) * float(rgb.rows) / float(h));
  };
  for (FaceDetection& d : faces) {
    d.box = cv::Rect2f(to_image(d.box.tl()), to_image(d.box.br()));
    for (auto& k : d.keypoints) k = to_image(k);
  }
  return faces;
}

}  // namespace auhead::face
