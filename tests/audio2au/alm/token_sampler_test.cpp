#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "audio2au/alm/token_sampler.h"
#include "test_util.h"

using namespace auhead::audio2au::alm;
using auhead::test::error_of;

TEST(AlmTokenSampler, GreedyTakesTheFirstLargest) {
  TokenSampler s({});
  std::vector<float> logits{0.5f, 2.f, -1.f, 2.f};
  EXPECT_EQ(s.pick(logits), 1u);
}

TEST(AlmTokenSampler, SamplingIsSeededAndFollowsTheSoftmax) {
  std::vector<float> logits{std::log(0.5f), std::log(0.3f), std::log(0.2f)};
  SamplingSettings settings{.temperature = 1.f, .seed = 42};
  TokenSampler a(settings), b(settings);
  std::vector<int> counts(3, 0);
  std::vector<std::size_t> first, second;
  for (int i = 0; i < 20000; ++i) {
    const std::size_t k = a.pick(logits);
    ++counts[k];
    if (i < 50) first.push_back(k), second.push_back(b.pick(logits));
  }
  EXPECT_EQ(first, second);  // the same seed, the same choices
  EXPECT_NEAR(counts[0] / 20000.0, 0.5, 0.015);
  EXPECT_NEAR(counts[1] / 20000.0, 0.3, 0.015);
  EXPECT_NEAR(counts[2] / 20000.0, 0.2, 0.015);
}

TEST(AlmTokenSampler, TopKAndTopPCutTheTail) {
  std::vector<float> logits{std::log(0.5f), std::log(0.3f), std::log(0.2f)};
  TokenSampler k1({.temperature = 1.f, .top_k = 1, .seed = 1});
  TokenSampler p6({.temperature = 1.f, .top_p = 0.6f, .seed = 1});  // keeps 0.5 and 0.3 (0.5 < 0.6)
  TokenSampler p5({.temperature = 1.f, .top_p = 0.5f, .seed = 1});  // keeps 0.5 only
  std::vector<int> counts(3, 0);
  for (int i = 0; i < 2000; ++i) {
    EXPECT_EQ(k1.pick(logits), 0u);
    EXPECT_EQ(p5.pick(logits), 0u);
    ++counts[p6.pick(logits)];
  }
  EXPECT_EQ(counts[2], 0);
  EXPECT_NEAR(counts[0] / 2000.0, 0.625, 0.04);
}

TEST(AlmTokenSampler, LowTemperatureSharpens) {
  std::vector<float> logits{1.f, 0.f};
  TokenSampler cold({.temperature = 0.05f, .seed = 3});
  int zero = 0;
  for (int i = 0; i < 1000; ++i) zero += cold.pick(logits) == 0;
  EXPECT_GT(zero, 995);
}

TEST(AlmTokenSampler, BadSettingsAreUsageErrors) {
  EXPECT_EQ(error_of([] { TokenSampler({.temperature = -1.f}); }), "--temperature must be 0 (greedy) or positive, got -1");
  EXPECT_NE(error_of([] { TokenSampler({.top_k = -2}); }), "");
  EXPECT_NE(error_of([] { TokenSampler({.top_p = 0.f}); }), "");
  EXPECT_NE(error_of([] { TokenSampler({.top_p = 1.5f}); }), "");
}
