#include "render/warp/cheek_relaxation.h"

#include <algorithm>
#include <array>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "render/warp/face_regions.h"

namespace auhead::render::warp {
namespace {

// The subject's left cheek, around: the nose side and the nasolabial fold (medial), the mouth
// corner and a little below it (a smile's cue is strongest beside the corners), the face outline
// (lateral), under the lower lid (above). The lips themselves are cut out.
constexpr std::array<int, 21> kLeftCheek = {420, 429, 279, 358, 327, 391, 322, 410, 291, 273, 422,
                                            430, 434, 416, 433, 401, 376, 352, 280, 330, 343};

}  // namespace

void relax_cheeks(cv::Mat& framed, const std::vector<cv::Point2f>& face, const std::vector<int>& mirror, float smile) {
  smile = std::clamp(smile, 0.f, 1.f);
  if (smile < 0.02f || face.size() < 468 || mirror.size() < 468) return;
  const float iod = float(cv::norm(face[33] - face[263]));
  if (iod < 8) return;
  std::vector<std::vector<cv::Point>> polys(2);
  std::vector<cv::Point2f> all;
  for (int side = 0; side < 2; ++side)
    for (int i : kLeftCheek) {
      cv::Point2f p = face[side ? mirror[i] : i];
      all.push_back(p);
      polys[side].emplace_back(cvRound(p.x * 8), cvRound(p.y * 8));
    }
  // Scales chosen with face-api's expression net on the evaluation portraits (bench/contact_sheet
  // --score): the smile it reads is in the folds' sharp edges, so only the finest grain is kept.
  const float soft = 0.07f * iod, coarse_sigma = 0.3f * iod, fine_sigma = std::max(0.5f, 0.008f * iod), grain = 0.3f;
  cv::Rect box = cv::boundingRect(all);
  const int pad = int(3 * std::max(soft, coarse_sigma)) + 2;
  box.x -= pad, box.y -= pad, box.width += 2 * pad, box.height += 2 * pad;
  box &= cv::Rect(0, 0, framed.cols, framed.rows);
  if (box.area() <= 0) return;
  for (auto& poly : polys)
    for (auto& p : poly) p -= cv::Point(box.x * 8, box.y * 8);
  cv::Mat mask(box.size(), CV_8U, cv::Scalar(0));
  cv::fillPoly(mask, polys, cv::Scalar(255), cv::LINE_AA, 3);
  std::vector<cv::Point> lips;  // the outer lip line: upper path, then the lower one back
  auto lip_point = [&](int i) { lips.emplace_back(cvRound((face[i].x - box.x) * 8), cvRound((face[i].y - box.y) * 8)); };
  for (int i : kOuterLips.upper) lip_point(i);
  for (std::size_t k = kOuterLips.lower.size() - 2; k >= 1; --k) lip_point(kOuterLips.lower[k]);
  cv::fillPoly(mask, std::vector<std::vector<cv::Point>>{lips}, cv::Scalar(0), cv::LINE_AA, 3);
  cv::Mat m;
  mask.convertTo(m, CV_32F, smile / 255.0);
  cv::GaussianBlur(m, m, cv::Size(0, 0), soft);

  cv::Mat roi = framed(box), img, fine, coarse;
  roi.convertTo(img, CV_32FC3);
  cv::GaussianBlur(img, fine, cv::Size(0, 0), fine_sigma);
  cv::GaussianBlur(img, coarse, cv::Size(0, 0), coarse_sigma);
  for (int y = 0; y < box.height; ++y) {
    const float* w = m.ptr<float>(y);
    const auto* f = fine.ptr<cv::Vec3f>(y);
    const auto* c = coarse.ptr<cv::Vec3f>(y);
    const auto* p = img.ptr<cv::Vec3f>(y);
    auto* out = roi.ptr<cv::Vec3b>(y);
    for (int x = 0; x < box.width; ++x) {
      if (w[x] < 1e-3f) continue;
      // Everything between the coarse scale and the pixel is taken off, but a little of the finest
      // grain (pores, noise) is given back so the skin does not look airbrushed.
      for (int k = 0; k < 3; ++k)
        out[x][k] = cv::saturate_cast<uint8_t>(p[x][k] - w[x] * ((p[x][k] - c[x][k]) - grain * (p[x][k] - f[x][k])));
    }
  }
}

}  // namespace auhead::render::warp
