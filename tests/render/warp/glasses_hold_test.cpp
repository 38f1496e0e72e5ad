// Glasses stay rigid (issue #14, item 4): on the bundled portrait (which wears glasses), an angry and
// a surprised face at full intensity leave the frame's pixels exactly as in the neutral face, while
// without the hold the warp moves them by pixels; the face around the frame still moves. With head
// motion the frame follows the head's rigid motion (fit_affine recovers an affine map exactly).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include <opencv2/imgproc.hpp>

#include "auhead/au_edit.h"
#include "build_config.h"
#include "face/face_analyzer.h"
#include "media/image_io.h"
#include "render/warp/glasses_hold.h"
#include "render/warp/warp_renderer.h"

namespace fs = std::filesystem;

namespace auhead::render::warp {
namespace {

bool have_models() { return fs::exists(face::default_face_models_dir() / "face_landmark.tflite"); }

struct Rendered {
  cv::Mat frame, map, mask;
};

Rendered render(const cv::Mat& portrait, const AuFrame& aus, bool hold) {
  RendererOptions o;
  o.size = 512;
  o.still = true;
  WarpRenderer r(o);
  r.set_hold_glasses(hold);
  r.prepare(portrait, "portrait");
  Rendered out;
  r.render_frame(aus, nullptr, out.frame);
  out.map = r.last_map().clone();
  out.mask = r.glasses_mask();
  return out;
}

double mean_motion(const cv::Mat& map, const cv::Mat& where) {
  double sum = 0;
  long n = 0;
  for (int y = 0; y < map.rows; ++y)
    for (int x = 0; x < map.cols; ++x)
      if (where.at<uchar>(y, x)) {
        const cv::Vec2f s = map.at<cv::Vec2f>(y, x);
        sum += std::hypot(s[0] - float(x), s[1] - float(y));
        ++n;
      }
  return n ? sum / double(n) : 0;
}

}  // namespace

TEST(GlassesHold, TheFrameDoesNotBendWithTheFace) {
  if (!have_models()) GTEST_SKIP() << "face models missing (run scripts/setup.sh)";
  const cv::Mat portrait = media::load_image_rgb(fs::path(AUHEAD_SOURCE_DIR) / "examples/portrait.jpg");
  const Rendered neutral = render(portrait, AuFrame{}, true);
  ASSERT_FALSE(neutral.mask.empty()) << "the portrait's glasses were not found";
  const cv::Mat frame_pixels = neutral.mask >= 0.999f;
  ASSERT_GT(cv::countNonZero(frame_pixels), 1000);
  for (Emotion e : {Emotion::angry, Emotion::surprised}) {
    const Rendered held = render(portrait, emotion_prototype(e), true), bent = render(portrait, emotion_prototype(e), false);
    // Where the frame is, the held render shows the neutral render's pixels.
    cv::Mat diff;
    cv::absdiff(held.frame, neutral.frame, diff);
    EXPECT_LE(cv::norm(diff, cv::NORM_INF, frame_pixels), 1.0) << emotion_name(e);
    // Without the hold the face's motion drags the frame along; around it the face moves either way.
    EXPECT_GT(mean_motion(bent.map, frame_pixels), 1.0) << emotion_name(e);
    cv::Mat around;
    cv::dilate(neutral.mask > 0.01f, around, cv::Mat(), {-1, -1}, 12);
    around &= ~(neutral.mask > 0.01f);
    EXPECT_GT(mean_motion(held.map, around), 0.5) << emotion_name(e);
  }
}

TEST(GlassesHold, FitAffineRecoversAnAffineMap) {
  const cv::Matx23f truth(0.98f, -0.12f, 14.f, 0.11f, 1.01f, -6.f);
  std::vector<cv::Point2f> from = {{10, 20}, {200, 40}, {120, 180}, {60, 90}, {150, 150}}, to;
  cv::transform(from, to, truth);
  const cv::Matx23f fit = fit_affine(from, to);
  for (int i = 0; i < 6; ++i) EXPECT_NEAR(fit.val[i], truth.val[i], 1e-3) << i;
}

TEST(GlassesHold, NoGlassesHoldsNothing) {
  cv::Mat grey(128, 128, CV_8UC3, cv::Scalar(128, 128, 128));
  GlassesHold hold(grey, std::vector<cv::Point2f>(468, cv::Point2f(64, 64)));
  EXPECT_FALSE(hold.active());
  cv::Mat frame = grey.clone();
  hold.compose(frame, cv::Matx23f(1, 0, 5, 0, 1, 5));
  EXPECT_EQ(cv::norm(frame, grey, cv::NORM_INF), 0.0);
}

}  // namespace auhead::render::warp
