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
  // FaceMesh v1: mesh [1404] and the face flag; the attention mesh: mesh, lips [160], left and
  // right eye [142 each], left and right iris [10 each], face flag.
  auto numel = [](const std::vector<int32_t>& shape) {
    int64_t n = 1;
    for (int32_t d : shape) n *= std::max<int32_t>(d, 0);
    return n;
  };
  const auto shapes = net_->output_shapes();
  const bool v1 = shapes.size() == 2 && numel(shapes[0]) == kMeshPoints * 3 && numel(shapes[1]) == 1;
  refines_ = shapes.size() == 7 && numel(shapes[0]) == kMeshPoints * 3 && numel(shapes[1]) == 160 &&
             numel(shapes[2]) == 142 && numel(shapes[3]) == 142 && numel(shapes[6]) == 1;
  if (!v1 && !refines_)
    throw input_error(model_file.string(),
                      "not a FaceMesh model (its outputs are neither FaceMesh v1's nor the attention mesh's)");
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

namespace {

// Mesh indices of the attention model's lip (80) and eye (71 each) points, in its output order
// (MediaPipe's face landmark graph, LandmarksRefinementCalculator).
const std::vector<int>& refinement_map(int part) {
  static const std::vector<int> lips = {
      61,  146, 91,  181, 84,  17,  314, 405, 321, 375, 291, 185, 40,  39,  37,  0,   267, 269, 270, 409,
      78,  95,  88,  178, 87,  14,  317, 402, 318, 324, 308, 191, 80,  81,  82,  13,  312, 311, 310, 415,
      76,  77,  90,  180, 85,  16,  315, 404, 320, 307, 306, 184, 74,  73,  72,  11,  302, 303, 304, 408,
      62,  96,  89,  179, 86,  15,  316, 403, 319, 325, 292, 183, 42,  41,  38,  12,  268, 271, 272, 407};
  static const std::vector<int> left_eye = {
      33,  7,   163, 144, 145, 153, 154, 155, 133, 246, 161, 160, 159, 158, 157, 173, 130, 25,  110, 24,
      23,  22,  26,  112, 243, 247, 30,  29,  27,  28,  56,  190, 226, 31,  228, 229, 230, 231, 232, 233,
      244, 113, 225, 224, 223, 222, 221, 189, 35,  124, 46,  53,  52,  65,  143, 111, 117, 118, 119, 120,
      121, 128, 245, 156, 70,  63,  105, 66,  107, 55,  193};
  static const std::vector<int> right_eye = {
      263, 249, 390, 373, 374, 380, 381, 382, 362, 466, 388, 387, 386, 385, 384, 398, 359, 255, 339, 254,
      253, 252, 256, 341, 463, 467, 260, 259, 257, 258, 286, 414, 446, 261, 448, 449, 450, 451, 452, 453,
      464, 342, 445, 444, 443, 442, 441, 413, 265, 353, 276, 283, 282, 295, 372, 340, 346, 347, 348, 349,
      350, 357, 465, 383, 300, 293, 334, 296, 336, 285, 417};
  return part == 0 ? lips : part == 1 ? left_eye : right_eye;
}

}  // namespace

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
  if (pts.numel() != kMeshPoints * 3) throw internal_error("FaceMesh output size");
  const float* p = pts.data_ptr<float>();
  MeshResult r;
  r.landmarks.reserve(kMeshPoints);
  for (int i = 0; i < kMeshPoints; ++i) {
    cv::Point2f q = c + A * cv::Point2f(p[3 * i] - kInput / 2.f, p[3 * i + 1] - kInput / 2.f);
    r.landmarks.emplace_back(q.x, q.y, p[3 * i + 2] * k);
  }
  // The attention mesh (7 outputs: mesh, lips, left eye, right eye, two irises, face flag) refines the
  // x, y of the lip and eye points it predicts on its own (MediaPipe's landmark refinement; z stays
  // the mesh's).
  if (refines_) {
    for (int part = 0; part < 3; ++part) {
      const auto& map = refinement_map(part);
      torch::Tensor t = out[size_t(1 + part)].contiguous();
      if (t.numel() != int64_t(2 * map.size())) throw internal_error("FaceMesh refinement output size");
      const float* q = t.data_ptr<float>();
      for (size_t j = 0; j < map.size(); ++j) {
        cv::Point2f img = c + A * cv::Point2f(q[2 * j] - kInput / 2.f, q[2 * j + 1] - kInput / 2.f);
        r.landmarks[size_t(map[j])].x = img.x;
        r.landmarks[size_t(map[j])].y = img.y;
      }
    }
  }
  const float logit = out.back().contiguous().data_ptr<float>()[0];
  r.presence = 1.f / (1.f + std::exp(-logit));
  return r;
}

}  // namespace auhead::face
