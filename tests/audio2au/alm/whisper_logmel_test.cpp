#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdio>
#include <filesystem>

#include "audio2au/alm/alm_parity.h"
#include "audio2au/alm/whisper_logmel.h"
#include "build_config.h"
#include "checkpoint/safetensors.h"
#include "cli/cli_test_util.h"

namespace fs = std::filesystem;
using namespace auhead;
using namespace auhead::audio2au::alm;

namespace {
const fs::path kFixture = fs::path(AUHEAD_FIXTURES_DIR) / "whisper_logmel.safetensors";
}

TEST(AlmLogMel, FilterbankShapeAndSlaneyArea) {
  torch::Tensor f = slaney_mel_filterbank(16000, 400, 80);
  ASSERT_EQ(f.sizes(), (std::vector<int64_t>{80, 201}));
  EXPECT_GE(f.min().item<float>(), 0.f);
  // Every filter is a triangle; Slaney norm scales it to unit area in Hz, so each row sums to about
  // 2 / (bin width 40 Hz) ... within the discretisation of the triangle.
  torch::Tensor row_sums = f.sum(1) * 40.0;
  EXPECT_NEAR(row_sums.slice(0, 10).mean().item<double>(), 1.0, 0.1);
  EXPECT_EQ(slaney_mel_filterbank(16000, 400, 128).size(0), 128);
}

TEST(AlmLogMel, ShapeAndSilence) {
  std::vector<float> silence(8000, 0.f);
  torch::Tensor m = whisper_log_mel(silence, 128);
  ASSERT_EQ(m.sizes(), (std::vector<int64_t>{128, 3000}));
  EXPECT_FLOAT_EQ(m.max().item<float>(), -1.5f);  // log10(1e-10) = -10 -> (-10 + 4) / 4
  EXPECT_EQ(whisper_valid_frames(8000), 50);
  EXPECT_EQ(whisper_valid_frames(47840), 299);
  EXPECT_EQ(whisper_valid_frames(10'000'000), 3000);
}

TEST(AlmLogMel, SharedFixturesWithin1e4) {
  ParityReport report = run_logmel_parity(kFixture);
  ASSERT_EQ(report.results.size(), 8u);  // 4 signals x (128, 80 bins)
  for (const auto& r : report.results) {
    EXPECT_TRUE(r.pass) << format_parity_line(r);
    EXPECT_LE(r.max_error, 1e-4) << r.name;
  }
}

TEST(AlmLogMel, CliExitsZeroAndPrintsEachSignal) {
  const test::CliResult r = test::run_cli("-q parity --logmel " + kFixture.string());
  const std::string& out = r.output;
  EXPECT_EQ(r.code, 0) << out;
  EXPECT_NE(out.find("speech_logmel128"), std::string::npos) << out;
  EXPECT_NE(out.find("sweep_logmel80"), std::string::npos) << out;
  EXPECT_EQ(out.find("FAIL"), std::string::npos) << out;
}

TEST(AlmLogMel, SpeechSignalGivesTheTowerFixtureInput) {
  // qwen2_audio_tower's input_features are the log-mel of the shared speech signal over 30 s.
  SafetensorsFile logmel(kFixture), tower(fs::path(AUHEAD_FIXTURES_DIR) / "qwen2_audio_tower/io.safetensors");
  torch::Tensor ours = whisper_log_mel(logmel.get("speech_audio", true), 128);
  torch::Tensor ref = tower.get("input_features", true)[0];
  ASSERT_EQ(ours.sizes(), ref.sizes());
  EXPECT_LE((ours - ref).abs().max().item<double>(), 1e-4);
}
