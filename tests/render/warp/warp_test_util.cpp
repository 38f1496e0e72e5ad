#include "render/warp/warp_test_util.h"

#include <cmath>

#include <opencv2/imgproc.hpp>

#include "media/image_io.h"
#include "render/renderer.h"

namespace auhead::render::warp::test {

bool have_inputs() {
  return std::filesystem::exists(face::default_face_models_dir() / "face_landmark.tflite") &&
         std::filesystem::exists(kPortrait);
}

const cv::Mat& portrait() {
  static const cv::Mat img = media::load_image_rgb(kPortrait);
  return img;
}

const face::FaceResult& portrait_face() {
  static const face::FaceResult r = face::FaceAnalyzer().analyze(portrait(), kPortrait.string());
  return r;
}

Framed framed(int size) {
  std::vector<cv::Point2f> xy;
  for (const auto& p : portrait_face().landmarks) xy.emplace_back(p.x, p.y);
  Framed f{frame_portrait(portrait(), xy, size), {}};
  for (const auto& p : xy) f.face.push_back(f.framing.map(p) - cv::Point2f(0.5f, 0.5f));
  return f;
}

std::vector<cv::Mat> render_warp(const AuSequence& aus, int size, bool still, uint64_t seed, bool keep_expression) {
  render::RendererOptions o;
  o.size = size;
  o.still = still;
  o.seed = seed;
  o.keep_portrait_expression = keep_expression;
  auto r = render::make_renderer("warp", o);
  std::vector<cv::Mat> frames;
  r->render(aus, portrait(), kPortrait.string(), [&](const cv::Mat& f) { frames.push_back(f.clone()); });
  return frames;
}

AuSequence constant_aus(int frames, const AuFrame& value) {
  AuSequence s;
  s.fps = 25;
  s.frames.assign(frames, value);
  return s;
}

double psnr(const cv::Mat& a, const cv::Mat& b, const cv::Mat& mask) {
  cv::Mat d;
  cv::absdiff(a, b, d);
  d.convertTo(d, CV_32F);
  d = d.mul(d);
  cv::Scalar s = mask.empty() ? cv::mean(d) : cv::mean(d, mask);
  double mse = (s[0] + s[1] + s[2]) / 3;
  return mse <= 1e-12 ? 99.0 : 10 * std::log10(255.0 * 255.0 / mse);
}

double pearson(const std::vector<double>& a, const std::vector<double>& b) {
  double ma = 0, mb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) ma += a[i], mb += b[i];
  ma /= a.size(), mb /= b.size();
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return sab / std::sqrt(saa * sbb + 1e-30);
}

}  // namespace auhead::render::warp::test
