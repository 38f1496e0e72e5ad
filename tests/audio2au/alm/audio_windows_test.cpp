#include <gtest/gtest.h>

#include "audio2au/alm/audio_windows.h"

using namespace auhead;
using namespace auhead::audio2au::alm;

TEST(AlmAudioWindows, ShortAudioIsOneWindow) {
  auto w = plan_audio_windows(16000 * 7 + 5);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].begin, 0);
  EXPECT_EQ(w[0].frames, 36);  // ceil(112005 / 3200)
  EXPECT_EQ(plan_audio_windows(480000).size(), 1u);
}

TEST(AlmAudioWindows, LongAudioOverlapsByTwoSecondsAndCoversEverything) {
  const int64_t n = 16000 * 65;
  auto w = plan_audio_windows(n);
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[1].begin, 448000);
  EXPECT_EQ(w[1].first_frame, 140);
  EXPECT_EQ(w[2].end, n);
  EXPECT_EQ(w[2].first_frame + w[2].frames, 325);
  for (std::size_t k = 1; k < w.size(); ++k) EXPECT_EQ(w[k - 1].end - w[k].begin, 32000);
}

TEST(AlmAudioWindows, StitchingCrossFadesTheOverlap) {
  auto w = plan_audio_windows(16000 * 40);  // frames 0..149 and 140..199
  ASSERT_EQ(w.size(), 2u);
  std::vector<std::vector<AuFrame>> frames(2);
  frames[0].assign(w[0].frames, AuFrame{});
  frames[1].assign(w[1].frames, AuFrame{});
  for (auto& f : frames[1]) f[8] = 1.f;
  auto all = stitch_window_frames(w, frames);
  ASSERT_EQ(all.size(), 200u);
  EXPECT_FLOAT_EQ(all[139][8], 0.f);
  EXPECT_FLOAT_EQ(all[150][8], 1.f);
  for (int j = 140; j < 150; ++j) {
    EXPECT_NEAR(all[j][8], (j - 140 + 0.5) / 10, 1e-6);
    if (j > 140) {
      EXPECT_GT(all[j][8], all[j - 1][8]);
    }
  }
}

TEST(AlmAudioWindows, TheEmotionOfTheWholeWeighsFramesAndIntensity) {
  auto w = plan_audio_windows(16000 * 65);
  auto e = combine_window_emotions(w, {{Emotion::happy, 0.5f}, {Emotion::sad, 0.9f}, {Emotion::happy, 0.7f}});
  EXPECT_EQ(e.label, Emotion::sad);  // happy 150·0.5 + 45·0.7 = 106.5 < sad 150·0.9 = 135
  EXPECT_FLOAT_EQ(e.intensity, 0.9f);
  e = combine_window_emotions(w, {{Emotion::happy, 0.8f}, {Emotion::sad, 0.9f}, {Emotion::happy, 0.6f}});
  EXPECT_EQ(e.label, Emotion::happy);  // 120 + 27 = 147 > 135
  EXPECT_NEAR(e.intensity, (150 * 0.8 + 45 * 0.6) / 195, 1e-6);
}
