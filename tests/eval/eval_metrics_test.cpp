// The evaluation metrics on synthetic data with known answers: statistics and lag search, AU
// accuracy, lip sync (energy envelope, phone timeline, lag), PSNR/SSIM/flicker and the similarity fit.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include <opencv2/imgproc.hpp>

#include "eval/au_metrics.h"
#include "eval/image_metrics.h"
#include "eval/lipsync_metrics.h"
#include "eval/stats.h"
#include "geometry/similarity_2d.h"

using namespace auhead;
using namespace auhead::eval;

TEST(EvalStats, PearsonAndLag) {
  std::vector<double> a = {1, 2, 3, 4, 5}, b = {2, 4, 6, 8, 10}, c = {5, 4, 3, 2, 1}, k = {1, 1, 1, 1, 1};
  EXPECT_NEAR(pearson(a, b), 1.0, 1e-12);
  EXPECT_NEAR(pearson(a, c), -1.0, 1e-12);
  EXPECT_TRUE(std::isnan(pearson(a, k)));
  // b is a copy of a, 3 samples late.
  std::vector<double> x(100), y(100);
  for (int i = 0; i < 100; ++i) x[i] = std::sin(i * 0.37) + 0.5 * std::sin(i * 0.11);
  for (int i = 0; i < 100; ++i) y[i] = i >= 3 ? x[i - 3] : 0.0;
  auto l = best_lag(x, y, 8);
  EXPECT_EQ(l.lag, 3);
  EXPECT_NEAR(l.r, 1.0, 1e-9);
  EXPECT_LT(l.r_at_zero, 0.9);
}

TEST(EvalAuMetrics, KnownErrorsAndActivations) {
  AuSequence truth, pred;
  truth.fps = pred.fps = 25;
  truth.frames.resize(4);
  pred.frames.resize(4);
  const float t8[] = {0, 0.5f, 1.0f, 0.2f}, p8[] = {0.05f, 0.4f, 0.9f, 0.0f};
  for (int i = 0; i < 4; ++i) truth.frames[i][8] = t8[i], pred.frames[i][8] = p8[i];
  pred.frames[0][11] = 0.3f;  // a false activation of an AU the truth never shows
  auto m = compare_aus(truth, pred, {8, 11});
  ASSERT_EQ(m.channels.size(), 2u);
  EXPECT_EQ(m.frames, 4);
  EXPECT_NEAR(m.channels[0].mae, (0.05 + 0.1 + 0.1 + 0.2) / 4, 1e-6);
  EXPECT_GT(m.channels[0].pearson, 0.9);
  EXPECT_NEAR(m.channels[0].precision, 1.0, 1e-12);    // 2 predicted active, both truly active
  EXPECT_NEAR(m.channels[0].recall, 2.0 / 3.0, 1e-12);  // 3 truly active (0.5, 1, 0.2)
  EXPECT_EQ(m.channels[1].truth_active, 0);
  EXPECT_NEAR(m.channels[1].precision, 0.0, 1e-12);
  EXPECT_TRUE(std::isnan(m.channels[1].recall));
  EXPECT_NEAR(m.channels[1].mae, 0.3 / 4, 1e-6);
  // A different frame rate is resampled onto the truth's frames.
  AuSequence slow = resample(truth, 12.5);
  auto r = compare_aus(truth, slow, {8});
  EXPECT_EQ(r.frames, 4);
}

TEST(EvalLipSync, InnerLipGap) {
  std::vector<cv::Point3f> face(468);
  face[13].y = 0.4f, face[14].y = -0.1f;
  EXPECT_NEAR(eval::inner_lip_gap_cm(face), 0.5, 1e-6);
  face[14].y = 0.6f;  // the lips overlap
  EXPECT_EQ(eval::inner_lip_gap_cm(face), 0.0);
  EXPECT_TRUE(std::isnan(eval::inner_lip_gap_cm({})));
}

TEST(EvalLipSync, EnergyLagAndPhones) {
  const int sr = 16000;
  const double fps = 25;
  const int frames = 100;  // 4 s
  // Tone bursts: loud on frames where (i / 7) is odd.
  std::vector<float> audio(size_t(frames / fps * sr));
  std::vector<double> mouth(frames);
  for (int i = 0; i < frames; ++i) {
    const bool loud = (i / 7) % 2 == 1;
    for (int k = int(i / fps * sr); k < int((i + 1) / fps * sr); ++k)
      audio[k] = loud ? 0.5f * float(std::sin(2 * std::numbers::pi * 220 * k / sr)) : 0.001f;
  }
  // The mouth opens 2 frames (80 ms) after the sound.
  for (int i = 0; i < frames; ++i) mouth[i] = i >= 2 && ((i - 2) / 7) % 2 == 1 ? 1.0 : 0.1;
  mouth[50] = std::nan("");  // a frame without a face is interpolated
  audio2au::phonetic::PhoneTrack phones;
  for (int s = 0; s < frames / 7; ++s)
    phones.push_back({(s % 2) ? "AA" : "M", s * 7 / fps, (s + 1) * 7 / fps});
  auto m = lipsync_metrics(mouth, fps, audio, sr, phones);
  EXPECT_EQ(m.frames, frames);
  EXPECT_NEAR(m.energy_lag_ms, 80, 1e-9);
  EXPECT_GT(m.energy_r, 0.95);
  EXPECT_LT(m.energy_r_at_zero, m.energy_r);
  EXPECT_NEAR(m.phone_lag_ms, 80, 1e-9);
  EXPECT_GT(m.phone_r, 0.95);
  EXPECT_GT(m.bilabials, 5);
  EXPECT_NEAR(m.bilabial_closed, 1.0, 1e-12);

  auto open = phone_openness(phones, fps, frames);
  EXPECT_EQ(open[0], 0.0);   // M
  EXPECT_EQ(open[8], 1.0);   // AA
  auto env = energy_envelope_db(audio, sr, fps, frames);
  EXPECT_GT(env[8] - env[0], 40.0);
}

TEST(EvalImageMetrics, PsnrSsimFlicker) {
  cv::Mat a(64, 64, CV_8UC3), b;
  cv::randu(a, 0, 200);
  EXPECT_EQ(psnr(a, a), kPsnrCap);
  EXPECT_NEAR(ssim(a, a), 1.0, 1e-9);
  b = a + cv::Scalar(10, 10, 10);
  EXPECT_NEAR(psnr(a, b), 10 * std::log10(255.0 * 255.0 / 100.0), 1e-6);
  EXPECT_NEAR(mean_abs_diff(a, b), 10.0, 1e-9);
  EXPECT_LT(ssim(a, b), 1.0);
  // Only the masked pixels count.
  cv::Mat c = a.clone(), mask = cv::Mat::zeros(64, 64, CV_8UC1);
  c(cv::Rect(0, 0, 32, 64)).setTo(cv::Scalar(255, 0, 0));
  mask(cv::Rect(32, 0, 32, 64)).setTo(255);
  EXPECT_EQ(psnr(a, c, mask), kPsnrCap);
  EXPECT_GT(ssim(a, c, mask), 0.9);  // the window reaches 5 px into the changed half
  // Flicker: steady frames give 0; one changed frame gives its difference twice.
  std::vector<cv::Mat> frames = {a, a, b, a};
  auto f = flicker(frames, {});
  EXPECT_NEAR(f.max, 10.0, 1e-9);
  EXPECT_NEAR(f.mean, 20.0 / 3, 1e-9);
  // Jitter ignores steady motion.
  std::vector<std::vector<cv::Point2f>> tracks;
  for (int t = 0; t < 5; ++t) tracks.push_back({{float(t), 0.f}, {10.f + t, 5.f}});
  EXPECT_NEAR(landmark_jitter(tracks, 10), 0.0, 1e-9);
  tracks[2][0].y += 1.f;
  EXPECT_GT(landmark_jitter(tracks, 10), 0.0);
}

TEST(EvalImageMetrics, SimilarityFitAndHull) {
  std::vector<cv::Point2f> from = {{0, 0}, {10, 0}, {0, 10}, {7, 3}}, to;
  const double s = 1.5, th = 0.3;
  for (auto p : from)
    to.emplace_back(float(s * (std::cos(th) * p.x - std::sin(th) * p.y) + 4),
                    float(s * (std::sin(th) * p.x + std::cos(th) * p.y) - 2));
  auto A = geometry::fit_similarity_2d(from, to);
  EXPECT_NEAR(A(0, 0), s * std::cos(th), 1e-5);
  EXPECT_NEAR(A(1, 0), s * std::sin(th), 1e-5);
  EXPECT_NEAR(A(0, 2), 4, 1e-4);
  EXPECT_NEAR(A(1, 2), -2, 1e-4);
  cv::Mat m = hull_mask({100, 100}, {{40, 40}, {60, 40}, {60, 60}, {40, 60}}, 2.0);
  EXPECT_EQ(m.at<uchar>(50, 50), 255);
  EXPECT_EQ(m.at<uchar>(32, 32), 255);  // inside the grown square (30..70)
  EXPECT_EQ(m.at<uchar>(20, 20), 0);
}
