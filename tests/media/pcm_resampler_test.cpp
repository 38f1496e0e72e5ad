// media::PcmResampler: the length and content of resampled tones, a tone above the new Nyquist
// frequency removed, and the output independent of how the input is cut.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "auhead/error.h"
#include "media/pcm_resampler.h"

namespace {

std::vector<float> tone(double hz, int rate, int n, float amplitude = 0.5f) {
  std::vector<float> s(n);
  for (int i = 0; i < n; ++i) s[i] = amplitude * float(std::sin(2 * std::numbers::pi * hz * i / rate));
  return s;
}

std::vector<float> resample(const std::vector<float>& in, int from, int to, std::size_t chunk) {
  auhead::media::PcmResampler r(from, to);
  std::vector<float> out;
  for (std::size_t i = 0; i < in.size(); i += chunk) {
    auto part = r.push(std::span<const float>(in).subspan(i, std::min(chunk, in.size() - i)));
    out.insert(out.end(), part.begin(), part.end());
  }
  auto rest = r.flush();
  out.insert(out.end(), rest.begin(), rest.end());
  return out;
}

double rms(const std::vector<float>& s, std::size_t from, std::size_t to) {
  double sum = 0;
  for (std::size_t i = from; i < to; ++i) sum += double(s[i]) * s[i];
  return std::sqrt(sum / double(to - from));
}

}  // namespace

TEST(PcmResampler, ToneKeepsItsLevelAndFrequency) {
  for (int rate : {8000, 22050, 44100, 48000}) {
    const std::vector<float> out = resample(tone(440, rate, rate), rate, 16000, 4096);  // 1 s
    EXPECT_NEAR(double(out.size()), 16000, 2) << rate;
    EXPECT_NEAR(rms(out, 800, 15200), 0.5 / std::sqrt(2.0), 0.005) << rate;
    int crossings = 0;  // 440 Hz: 880 rising and falling zero crossings in a second
    for (std::size_t i = 801; i < 15200; ++i) crossings += (out[i - 1] < 0) != (out[i] < 0);
    EXPECT_NEAR(crossings, 880 * (15200 - 801) / 16000.0, 3) << rate;
  }
}

TEST(PcmResampler, AToneAboveTheNewNyquistIsRemoved) {
  const std::vector<float> out = resample(tone(12000, 48000, 48000), 48000, 16000, 1000);
  EXPECT_LT(rms(out, 800, 15200), 0.01);
}

TEST(PcmResampler, OutputDoesNotDependOnTheCut) {
  const std::vector<float> in = tone(300, 44100, 30000);
  const std::vector<float> a = resample(in, 44100, 16000, 30000), b = resample(in, 44100, 16000, 1),
                           c = resample(in, 44100, 16000, 997);
  ASSERT_EQ(a.size(), b.size());
  ASSERT_EQ(a.size(), c.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_NEAR(a[i], b[i], 1e-6);
    EXPECT_NEAR(a[i], c[i], 1e-6);
  }
}

TEST(PcmResampler, RatesOutOfRangeAreUsageErrors) {
  EXPECT_THROW(auhead::media::PcmResampler(0, 16000), auhead::Error);
  EXPECT_THROW(auhead::media::PcmResampler(16000, 1000000), auhead::Error);
}
