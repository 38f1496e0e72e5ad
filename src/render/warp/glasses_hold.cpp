#include "render/warp/glasses_hold.h"

#include <algorithm>

#include <opencv2/imgproc.hpp>
#include <opencv2/photo.hpp>

#include "face/glasses_finder.h"

namespace auhead::render::warp {

GlassesHold::GlassesHold(const cv::Mat& framed_rgb, const std::vector<cv::Point2f>& face) : bare_(framed_rgb) {
  face::GlassesFrames frames = face::find_glasses(framed_rgb, face);
  if (!frames.found) return;
  cv::Mat hard;
  cv::compare(frames.mask, 0.05, hard, cv::CMP_GT);
  if (cv::countNonZero(hard) == 0) return;
  // The skin under the frame, guessed from around it, for the face layer (whose brows and lids may
  // move out from under the frame). The painted-out area reaches 2 px past the frame so that no dark
  // fringe is left in the face layer; the rigid layer covers all of it, so an unmoved face shows the
  // portrait exactly.
  cv::dilate(hard, hard, cv::getStructuringElement(cv::MORPH_ELLIPSE, {5, 5}));
  cv::Mat bare;  // a buffer of its own: bare_ shares the portrait's until here
  cv::inpaint(framed_rgb, hard, bare, 4, cv::INPAINT_TELEA);
  bare_ = bare;
  cv::Mat cover;
  cv::dilate(hard, cover, cv::getStructuringElement(cv::MORPH_ELLIPSE, {3, 3}));
  cover.convertTo(mask_, CV_32F, 1 / 255.0);
  cv::GaussianBlur(mask_, mask_, {3, 3}, 0.7);
  mask_.setTo(1.f, hard);
  cv::max(mask_, frames.mask, mask_);
  // What compose() moves: the frame's box of the portrait with the weight as alpha.
  cv::Mat alpha;
  mask_.convertTo(alpha, CV_8U, 255);
  box_ = cv::boundingRect(alpha);
  std::vector<cv::Mat> channels;
  cv::split(framed_rgb, channels);
  channels.push_back(alpha);
  cv::merge(channels, layer_);
}

const std::vector<int>& GlassesHold::anchor_landmarks() {
  // Eye corners, the nose bridge and root, the temples: points the expressions barely move.
  static const std::vector<int> anchors = {33, 133, 362, 263, 168, 6, 197, 127, 356, 234, 454};
  return anchors;
}

void GlassesHold::compose(cv::Mat& frame, const cv::Matx23f& motion) const {
  if (!active()) return;
  // The frame's box after the motion (its corners moved), clipped to the output.
  std::vector<cv::Point2f> corners = {cv::Point2f(float(box_.x), float(box_.y)), cv::Point2f(float(box_.br().x), float(box_.y)),
                                      cv::Point2f(float(box_.x), float(box_.br().y)),
                                      cv::Point2f(float(box_.br().x), float(box_.br().y))};
  std::vector<cv::Point2f> moved;
  cv::transform(corners, moved, motion);
  cv::Rect out = cv::boundingRect(moved);
  out.x -= 2, out.y -= 2, out.width += 4, out.height += 4;
  out &= cv::Rect(0, 0, frame.cols, frame.rows);
  if (out.empty()) return;
  // Output pixel → portrait position: the inverse motion, shifted to the box.
  cv::Matx23f to_out = motion;
  to_out(0, 2) -= float(out.x);
  to_out(1, 2) -= float(out.y);
  cv::Mat layer;  // RGBA: the frame's pixels with its weight as alpha, in the output box
  cv::warpAffine(layer_, layer, cv::Mat(to_out), out.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(0));
  cv::Mat roi = frame(out);
  for (int y = 0; y < out.height; ++y) {
    const cv::Vec4b* src = layer.ptr<cv::Vec4b>(y);
    cv::Vec3b* dst = roi.ptr<cv::Vec3b>(y);
    for (int x = 0; x < out.width; ++x) {
      const int a = src[x][3];
      if (a == 0) continue;
      for (int c = 0; c < 3; ++c) dst[x][c] = uchar((dst[x][c] * (255 - a) + src[x][c] * a + 127) / 255);
    }
  }
}

cv::Matx23f fit_affine(const std::vector<cv::Point2f>& from, const std::vector<cv::Point2f>& to) {
  // Normal equations of x' = a·x + b·y + c (and the same for y'), solved by SVD.
  cv::Mat a(int(from.size()), 3, CV_64F), bx(int(from.size()), 1, CV_64F), by(int(from.size()), 1, CV_64F);
  for (int i = 0; i < int(from.size()); ++i) {
    a.at<double>(i, 0) = from[std::size_t(i)].x;
    a.at<double>(i, 1) = from[std::size_t(i)].y;
    a.at<double>(i, 2) = 1;
    bx.at<double>(i) = to[std::size_t(i)].x;
    by.at<double>(i) = to[std::size_t(i)].y;
  }
  cv::Mat px, py;
  cv::solve(a, bx, px, cv::DECOMP_SVD);
  cv::solve(a, by, py, cv::DECOMP_SVD);
  return cv::Matx23f(float(px.at<double>(0)), float(px.at<double>(1)), float(px.at<double>(2)), float(py.at<double>(0)),
                     float(py.at<double>(1)), float(py.at<double>(2)));
}

}  // namespace auhead::render::warp
