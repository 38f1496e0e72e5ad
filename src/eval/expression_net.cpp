#include "eval/expression_net.h"

#include <torch/torch.h>

#include <cstring>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include "auhead/error.h"
#include "core/data_path.h"
#include "build_config.h"
#include "core/atomic_file.h"
#include "core/json_text.h"

namespace fs = std::filesystem;

namespace auhead::eval {

Emotion expression_to_emotion(int cls) {
  static constexpr Emotion map[kExpressionClasses] = {Emotion::neutral, Emotion::happy,     Emotion::sad,
                                                      Emotion::angry,   Emotion::fear,      Emotion::disgusted,
                                                      Emotion::surprised};
  return map[cls];
}

std::optional<int> emotion_to_expression(Emotion e) {
  for (int c = 0; c < kExpressionClasses; ++c)
    if (expression_to_emotion(c) == e) return c;
  return std::nullopt;
}

fs::path default_face_api_dir() {
  return models_dir() / "face-api";
}

std::vector<TfjsWeight> read_tfjs_weights(const fs::path& manifest) {
  const std::string name = manifest.string();
  if (!fs::exists(manifest)) throw unavailable_error(name + ": no such file (run scripts/setup.sh)");
  nlohmann::json j = parse_json_text(read_text_file(manifest), name);
  std::vector<TfjsWeight> out;
  try {
    if (!j.is_array()) throw input_error(name, "not a TF.js weights manifest (expected an array of groups)");
    for (const auto& group : j) {
      std::string bytes;
      for (const auto& p : group.at("paths")) {
        const fs::path shard = manifest.parent_path() / p.get<std::string>();
        std::ifstream in(shard, std::ios::binary);
        if (!in) throw input_error(shard.string(), "cannot read the weights shard");
        bytes.append(std::istreambuf_iterator<char>(in), {});
      }
      size_t pos = 0;
      for (const auto& w : group.at("weights")) {
        TfjsWeight t;
        t.name = w.at("name").get<std::string>();
        t.shape = w.at("shape").get<std::vector<int64_t>>();
        int64_t n = 1;
        for (int64_t d : t.shape) n *= d;
        t.values.resize(size_t(n));
        const std::string dtype = w.value("dtype", "float32");
        if (dtype != "float32") throw input_error(name, t.name + ": unsupported dtype " + dtype);
        if (w.contains("quantization")) {
          const auto& q = w.at("quantization");
          const std::string qt = q.at("dtype").get<std::string>();
          const double scale = q.at("scale").get<double>(), min = q.at("min").get<double>();
          const size_t width = qt == "uint8" ? 1 : qt == "uint16" ? 2 : 0;
          if (!width) throw input_error(name, t.name + ": unsupported quantization " + qt);
          if (pos + width * n > bytes.size()) throw input_error(name, t.name + ": the .bin shards are too short");
          for (int64_t i = 0; i < n; ++i) {
            uint32_t v = uint8_t(bytes[pos + width * i]);
            if (width == 2) v |= uint32_t(uint8_t(bytes[pos + 2 * i + 1])) << 8;
            t.values[i] = float(v * scale + min);
          }
          pos += width * n;
        } else {
          if (pos + 4 * n > bytes.size()) throw input_error(name, t.name + ": the .bin shards are too short");
          std::memcpy(t.values.data(), bytes.data() + pos, 4 * n);
          pos += 4 * n;
        }
        out.push_back(std::move(t));
      }
      if (pos != bytes.size()) throw input_error(name, "the .bin shards hold more bytes than the manifest lists");
    }
  } catch (const nlohmann::json::exception& e) {
    throw input_error(name, std::string("malformed manifest: ") + e.what());
  }
  return out;
}

namespace {

constexpr int kInput = 112;
constexpr float kMeanRgb[3] = {122.782f, 117.001f, 104.298f};  // face-api FaceFeatureExtractor

struct SepConv {
  torch::Tensor depthwise, pointwise, bias;  // [C,1,3,3], [O,C,1,1], [O]
};
struct DenseBlock {
  torch::Tensor conv0_filters;  // first block only: a plain 3×3 conv [O,3,3,3]
  torch::Tensor conv0_bias;
  SepConv conv0;  // other blocks
  SepConv conv[3];
  bool first = false;
};

// TF 'same' padding: total max((ceil(n/s) − 1)·s + k − n, 0), the odd pixel on the bottom/right.
torch::Tensor pad_same(const torch::Tensor& x, int stride) {
  const int64_t n = x.size(2);
  const int64_t out = (n + stride - 1) / stride;
  const int64_t total = std::max<int64_t>((out - 1) * stride + 3 - n, 0);
  const int64_t lo = total / 2, hi = total - lo;
  return torch::constant_pad_nd(x, {lo, hi, lo, hi});
}

torch::Tensor sep_conv(const torch::Tensor& x, const SepConv& p, int stride) {
  const int64_t s = stride;
  auto y = torch::conv2d(pad_same(x, stride), p.depthwise, torch::Tensor(), torch::IntArrayRef{s, s},
                         torch::IntArrayRef{0, 0}, torch::IntArrayRef{1, 1}, x.size(1));
  return torch::conv2d(y, p.pointwise, p.bias);
}

torch::Tensor dense_block(const torch::Tensor& x, const DenseBlock& b) {
  torch::Tensor out1 = b.first ? torch::conv2d(pad_same(x, 2), b.conv0_filters, b.conv0_bias, torch::IntArrayRef{2, 2})
                               : sep_conv(x, b.conv0, 2);
  out1 = torch::relu(out1);
  auto out2 = sep_conv(out1, b.conv[0], 1);
  auto in3 = torch::relu(out1 + out2);
  auto out3 = sep_conv(in3, b.conv[1], 1);
  auto in4 = torch::relu(out1 + out2 + out3);
  auto out4 = sep_conv(in4, b.conv[2], 1);
  return torch::relu(out1 + out2 + out3 + out4);
}

}  // namespace

struct ExpressionNet::Impl {
  DenseBlock blocks[4];
  torch::Tensor fc_w, fc_b;  // [256,7], [7]
};

ExpressionNet::ExpressionNet(const fs::path& dir) : impl_(std::make_unique<Impl>()) {
  const fs::path manifest = dir / "face_expression_model-weights_manifest.json";
  auto weights = read_tfjs_weights(manifest);
  std::map<std::string, TfjsWeight*> by_name;
  for (auto& w : weights) by_name[w.name] = &w;
  auto get = [&](const std::string& key, std::vector<int64_t> shape) {
    auto it = by_name.find(key);
    if (it == by_name.end()) throw input_error(manifest.string(), "missing weight " + key);
    if (it->second->shape != shape) throw input_error(manifest.string(), key + ": unexpected shape");
    return torch::from_blob(it->second->values.data(), shape, torch::kFloat32).clone();
  };
  const int64_t ch[4] = {32, 64, 128, 256};
  for (int b = 0; b < 4; ++b) {
    DenseBlock& blk = impl_->blocks[b];
    const std::string pre = "dense" + std::to_string(b) + "/";
    const int64_t in = b == 0 ? 3 : ch[b - 1], c = ch[b];
    auto sep = [&](int k, int64_t cin) {
      const std::string p = pre + "conv" + std::to_string(k) + "/";
      SepConv s;
      s.depthwise = get(p + "depthwise_filter", {3, 3, cin, 1}).permute({2, 3, 0, 1}).contiguous();
      s.pointwise = get(p + "pointwise_filter", {1, 1, cin, c}).permute({3, 2, 0, 1}).contiguous();
      s.bias = get(p + "bias", {c});
      return s;
    };
    blk.first = b == 0;
    if (blk.first) {
      blk.conv0_filters = get(pre + "conv0/filters", {3, 3, 3, c}).permute({3, 2, 0, 1}).contiguous();
      blk.conv0_bias = get(pre + "conv0/bias", {c});
    } else {
      blk.conv0 = sep(0, in);
    }
    for (int k = 1; k <= 3; ++k) blk.conv[k - 1] = sep(k, c);
  }
  impl_->fc_w = get("fc/weights", {256, kExpressionClasses});
  impl_->fc_b = get("fc/bias", {kExpressionClasses});
}

ExpressionNet::~ExpressionNet() = default;
ExpressionNet::ExpressionNet(ExpressionNet&&) noexcept = default;

std::vector<ExpressionProbs> ExpressionNet::predict(const std::vector<cv::Mat>& faces) const {
  std::vector<ExpressionProbs> out;
  if (faces.empty()) return out;
  torch::NoGradGuard no_grad;
  auto batch = torch::empty({int64_t(faces.size()), 3, kInput, kInput}, torch::kFloat32);
  for (size_t i = 0; i < faces.size(); ++i) {
    const cv::Mat& f = faces[i];
    // Pad to a centred square with zeros (face-api padToSquare(isCenter = true)), then resize.
    const int side = std::max(f.cols, f.rows);
    cv::Mat sq = cv::Mat::zeros(side, side, CV_8UC3);
    const int dx = (side - f.cols) / 2, dy = (side - f.rows) / 2;
    f.copyTo(sq(cv::Rect(dx, dy, f.cols, f.rows)));
    cv::Mat small;
    cv::resize(sq, small, cv::Size(kInput, kInput), 0, 0, side > kInput ? cv::INTER_AREA : cv::INTER_LINEAR);
    cv::Mat fl;
    small.convertTo(fl, CV_32FC3);
    auto t = torch::from_blob(fl.data, {kInput, kInput, 3}, torch::kFloat32).permute({2, 0, 1});
    batch[int64_t(i)] = t;
  }
  auto mean = torch::tensor({kMeanRgb[0], kMeanRgb[1], kMeanRgb[2]}).view({1, 3, 1, 1});
  auto x = (batch - mean) / 255.0f;
  for (const auto& b : impl_->blocks) x = dense_block(x, b);
  x = torch::avg_pool2d(x, {7, 7}, {2, 2});  // 7×7 → 1×1 ('valid')
  x = x.flatten(1);
  auto probs = torch::softmax(torch::matmul(x, impl_->fc_w) + impl_->fc_b, 1).contiguous();
  out.resize(faces.size());
  for (size_t i = 0; i < faces.size(); ++i)
    for (int c = 0; c < kExpressionClasses; ++c) out[i][c] = probs[int64_t(i)][c].item<float>();
  return out;
}

cv::Rect expression_crop(const std::vector<cv::Point2f>& landmarks, cv::Size image) {
  if (landmarks.empty()) return {};
  cv::Rect2f box = cv::boundingRect(landmarks);
  cv::Rect r(int(std::floor(box.x)), int(std::floor(box.y)), int(std::ceil(box.width)), int(std::ceil(box.height)));
  return r & cv::Rect(0, 0, image.width, image.height);
}

}  // namespace auhead::eval
