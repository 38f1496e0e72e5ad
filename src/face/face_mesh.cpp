// FaceMesh: 192×192 RGB crop in [0, 1] (MediaPipe face_landmark_cpu's ImageToTensorCalculator,
// border replicate) → 1404 = 468×3 values in crop pixels and a face-presence logit.
#include "face/face_mesh.h"

#include <torch/torch.h>

#include <cmath>
#include <numbers>
#include <opencv2/imgproc.hpp>

#include "auhead/error.h"
#include "face/tflite_interpreter.h"

namespace auhead::face {

namespace {

constexpr int kInput = 192;

float normalize_radians(float a) {
  const float two_pi = 2 * std::numbers::pi_v<float>;
  return a - two_pi * std::floor((a + std::numbers::pi_v<float>) / two_pi);
}

// DetectionsToRects + RectTransformation (scale 1.5, square long side) in image pixels.
FaceRoi make_roi(const cv::Rect2f& box, cv::Point2f from, cv::Point2f to) {
  FaceRoi roi;
  roi.center = cv::Point2f(box.x + box.width / 2, box.y + box.height / 2);
  roi.rotation = normalize_radians(0.f - std::atan2(-(to.y - from.y), to.x - from.x));
  roi.size = 1.5f * std::max(box.width, box.height);
  return roi;
}

}  // namespace

FaceMesh::FaceMesh(const std::filesystem::path& model_file)
    : net_(std::make_unique<TfliteInterpreter>(TfliteModel::load(model_file))) {
  if (net_->input_shape() != std::vector<int32_t>{1, kInput, kInput, 3})
    throw input_error(model_file.string(), "not the FaceMesh model (input is not 1×192×192×3)");
}
FaceMesh::~FaceMesh() = default;
FaceMesh::FaceMesh(FaceMesh&&) noexcept = default;

FaceRoi FaceMesh::roi_from_detection(const FaceDetection& d) {
  return make_roi(d.box, d.keypoints[right_eye], d.keypoints[left_eye]);
}

FaceRoi FaceMesh::roi_from_landmarks(const std::vector<cv::Point3f>& lm) {
  if (lm.size() != size_t(kMeshPoints)) throw std::invalid_argument("roi_from_landmarks: need 468 points");
  float x0 = lm[0].x, x1 = lm[0].x, y0 = lm[0].y, y1 = lm[0].y;
  for (const auto& p : lm) {
    x0 = std::min(x0, p.x); x1 = std::max(x1, p.x);
    y0 = std::min(y0, p.y); y1 = std::max(y1, p.y);
  }
  return make_roi(cv::Rect2f(x0, y0, x1 - x0, y1 - y0), {lm[33].x, lm[33].y}, {lm[263].x, lm[263].y});
}

MeshResult FaceMesh::run(const cv::Mat& rgb, const FaceRoi& roi) const {
  if (rgb.empty() || rgb.type() != CV_8UC3) throw std::invalid_argument("FaceMesh: need 8-bit RGB");
  if (!(roi.size > 0)) throw std::invalid_argument("FaceMesh: empty region");
  // Crop → image (continuous coordinates): p_img = c + A (p_crop - 96), A = (size/192) R(rotation).
  const float cs = std::cos(roi.rotation), sn = std::sin(roi.rotation);
  const float k = roi.size / kInput;
  cv::Matx22f A(k * cs, -k * sn, k * sn, k * cs);
  cv::Point2f c = roi.center;

  // A crop much smaller than the region would alias: sample from a pre-shrunk copy of the part of
  // the image the region covers.
  const cv::Mat* src = &rgb;
  cv::Mat shrunk;
  float pre = 1.f;     // image pixels per source pixel
  cv::Point2f origin(0, 0);  // source (0,0) in image pixels
  if (k > 2.f) {
    float half = roi.size * 0.75f;  // ≥ half the diagonal of the rotated square (√2/2 ≈ 0.707)
    cv::Rect area(cv::Point(int(std::floor(c.x - half)), int(std::floor(c.y - half))),
                  cv::Point(int(std::ceil(c.x + half)), int(std::ceil(c.y + half))));
    area &= cv::Rect(0, 0, rgb.cols, rgb.rows);
    if (area.area() > 0) {
      pre = k / 1.5f;
      cv::Size sz(std::max(1, int(std::lround(area.width / pre))),
                  std::max(1, int(std::lround(area.height / pre))));
      cv::resize(rgb(area), shrunk, sz, 0, 0, cv::INTER_AREA);
      pre = float(area.width) / float(sz.width);
      float pre_y = float(area.height) / float(sz.height);
      pre = 0.5f * (pre + pre_y);
      origin = cv::Point2f(float(area.x), float(area.y));
      src = &shrunk;
    }
  }
  // Destination pixel index d ↔ crop continuous d + 0.5; source index s ↔ image (s + 0.5)·pre + origin.
  cv::Matx22f As = A * (1.f / pre);
  cv::Point2f off = (c - origin) * (1.f / pre) + As * cv::Point2f(0.5f - kInput / 2.f, 0.5f - kInput / 2.f) -
                    cv::Point2f(0.5f, 0.5f);
  cv::Mat M = (cv::Mat_<double>(2, 3) << As(0, 0), As(0, 1), off.x, As(1, 0), As(1, 1), off.y);
  cv::Mat crop;
  cv::warpAffine(*src, crop, M, cv::Size(kInput, kInput), cv::INTER_LINEAR | cv::WARP_INVERSE_MAP,
                 cv::BORDER_REPLICATE);
  cv::Mat input;
  crop.convertTo(input, CV_32FC3, 1.0 / 255.0);

  torch::Tensor x = torch::from_blob(input.data, {1, kInput, kInput, 3}, torch::kFloat32);
  std::vector<torch::Tensor> out = net_->run(x);
  torch::Tensor pts = out.at(0).contiguous();
  if (pts.numel() != kMeshPoints * 3) throw std::logic_error("FaceMesh output size");
  const float* p = pts.data_ptr<float>();
  MeshResult r;
  r.landmarks.reserve(kMeshPoints);
  for (int i = 0; i < kMeshPoints; ++i) {
    cv::Point2f q = c + A * cv::Point2f(p[3 * i] - kInput / 2.f, p[3 * i + 1] - kInput / 2.f);
    r.landmarks.emplace_back(q.x, q.y, p[3 * i + 2] * k);
  }
  if (out.size() > 1 && out[1].numel() == 1) {
    float logit = out[1].contiguous().data_ptr<float>()[0];
    r.presence = 1.f / (1.f + std::exp(-logit));
  } else {
    r.presence = 1.f;
  }
  return r;
}

}  // namespace auhead::face
