#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <random>

#include <unistd.h>

#include "auhead/error.h"
#include "media/audio_decoder.h"
#include "media/media_expect.h"
#include "media/media_test_util.h"

namespace fs = std::filesystem;
using namespace auhead;
using namespace auhead::media;
using namespace auhead::media::test;

namespace {

constexpr double kSeconds = 1.0;

struct DecodeCase {
  std::string ext;
  int rate;
  int channels;
};

std::string case_name(const testing::TestParamInfo<DecodeCase>& info) {
  return info.param.ext.substr(1) + "_" + std::to_string(info.param.rate) + "_" + std::to_string(info.param.channels) + "ch";
}

}  // namespace

class MediaAudioDecode : public testing::TestWithParam<DecodeCase> {};

TEST_P(MediaAudioDecode, ToAnalysisFormat) {
  const DecodeCase& p = GetParam();
  TempDir dir("audio_decode");
  const fs::path file = dir / ("in" + p.ext);
  EncodeSpec spec{p.rate, p.channels, p.ext == ".mp4" || p.ext == ".mkv", kSeconds};
  encode_test_media(file, test_signal(p.rate, p.channels, kSeconds), spec);

  const Audio audio = decode_audio(file);
  EXPECT_EQ(audio.sample_rate, 16000);
  EXPECT_EQ(audio.channels, 1);
  EXPECT_NEAR(audio.duration_seconds(), kSeconds, 0.020);

  const std::vector<float> want = expected_mono(16000, p.channels, kSeconds);
  int lag = 0;
  const double r = best_correlation(want, audio.samples, 160, &lag);
  EXPECT_GT(r, 0.95) << "lag " << lag;
  EXPECT_LE(std::abs(lag), 16) << "decoded audio is shifted by " << lag << " samples";
}

INSTANTIATE_TEST_SUITE_P(MediaFormats, MediaAudioDecode,
                         testing::ValuesIn([] {
                           std::vector<DecodeCase> cases;
                           for (const char* ext : {".wav", ".mp3", ".flac", ".ogg", ".m4a", ".mp4"})
                             for (int rate : {8000, 22050, 44100, 48000})
                               for (int ch : {1, 2}) cases.push_back({ext, rate, ch});
                           cases.push_back({".mkv", 44100, 2});
                           return cases;
                         }()),
                         case_name);

TEST(MediaAudioDecoder, KeepsSourceRateAndChannelsInOrder) {
  TempDir dir("audio_keep");
  for (const char* ext : {".wav", ".mp3"}) {
    const fs::path file = dir / (std::string("stereo") + ext);
    const std::vector<float> source = test_signal(44100, 2, kSeconds);
    encode_test_media(file, source, {44100, 2});
    const Audio audio = decode_audio(file, 0, 0);
    EXPECT_EQ(audio.sample_rate, 44100) << ext;
    ASSERT_EQ(audio.channels, 2) << ext;
    for (int c = 0; c < 2; ++c) {
      const auto want = channel_of(source, 2, c);
      const auto got = channel_of(audio.samples, 2, c);
      EXPECT_GT(best_correlation(want, got, 20), 0.95) << ext << " channel " << c;
      EXPECT_LT(std::abs(best_correlation(want, channel_of(audio.samples, 2, 1 - c), 20)), 0.3)
          << ext << " channels mixed up";
    }
    const AudioInfo info = probe_audio(file);
    EXPECT_EQ(info.sample_rate, 44100);
    EXPECT_EQ(info.channels, 2);
    EXPECT_NEAR(info.duration_seconds, kSeconds, 0.05);
  }
}

TEST(MediaAudioDecoder, OtherTargets) {
  TempDir dir("audio_targets");
  const fs::path file = dir / "in.flac";
  encode_test_media(file, test_signal(22050, 1, kSeconds), {22050, 1});
  const Audio a = decode_audio(file, 48000, 2);
  EXPECT_EQ(a.sample_rate, 48000);
  EXPECT_EQ(a.channels, 2);
  EXPECT_NEAR(a.duration_seconds(), kSeconds, 0.005);
  EXPECT_GT(best_correlation(channel_of(a.samples, 2, 0), channel_of(a.samples, 2, 1), 0), 0.999);
  EXPECT_THROW(decode_audio(file, -1, 1), Error);
}

TEST(MediaAudioDecoder, MissingFile) {
  const fs::path file = "/nonexistent-auhead/speech.wav";
  expect_error([&] { decode_audio(file); }, ExitCode::bad_input, file, "no such file");
}

TEST(MediaAudioDecoder, FolderInsteadOfFile) {
  TempDir dir("audio_folder");
  expect_error([&] { decode_audio(dir.path()); }, ExitCode::bad_input, dir.path(), "is a folder");
}

TEST(MediaAudioDecoder, ZeroLengthFile) {
  TempDir dir("audio_empty");
  const fs::path file = dir / "empty.wav";
  write_bytes(file, "");
  expect_error([&] { decode_audio(file); }, ExitCode::bad_input, file, "contains no audio samples");
}

TEST(MediaAudioDecoder, WavWithoutSamples) {
  TempDir dir("audio_nosamples");
  const fs::path file = dir / "silent.wav";
  encode_test_media(file, {}, {16000, 1});
  expect_error([&] { decode_audio(file); }, ExitCode::bad_input, file, "contains no audio samples");
}

TEST(MediaAudioDecoder, RandomBytes) {
  TempDir dir("audio_random");
  std::mt19937 rng(1234);
  for (const char* name : {"noise.bin", "noise.mp3", "noise.wav", "noise.m4a"}) {
    std::string bytes(64 * 1024, '\0');
    for (char& c : bytes) c = static_cast<char>(rng() & 0xff);
    const fs::path file = dir / name;
    write_bytes(file, bytes);
    expect_error([&] { decode_audio(file); }, ExitCode::bad_input, file, "");
  }
}

TEST(MediaAudioDecoder, TextFileNamedWav) {
  TempDir dir("audio_text");
  const fs::path file = dir / "notes.wav";
  write_bytes(file, "This is not audio.\nJust some text that happens to be called .wav\n");
  expect_error([&] { decode_audio(file); }, ExitCode::bad_input, file, "");
}

TEST(MediaAudioDecoder, TruncatedFiles) {
  TempDir dir("audio_truncated");
  for (const char* ext : {".wav", ".mp3", ".m4a", ".flac"}) {
    const fs::path whole = dir / (std::string("whole") + ext);
    encode_test_media(whole, test_signal(16000, 1, 2.0), {16000, 1});
    std::ifstream in(whole, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // Cut in half: decodes what is there (or fails cleanly for formats with the index at the end).
    const fs::path half = dir / (std::string("half") + ext);
    write_bytes(half, bytes.substr(0, bytes.size() / 2));
    try {
      const Audio a = decode_audio(half);
      EXPECT_GT(a.duration_seconds(), 0.2) << ext;  // flac: later frames are larger
      EXPECT_LT(a.duration_seconds(), 1.5) << ext;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ExitCode::bad_input) << e.what();
      EXPECT_NE(std::string(e.what()).find(half.string()), std::string::npos);
    }
    // Cut inside the header: an error naming the file.
    const fs::path stub = dir / (std::string("stub") + ext);
    write_bytes(stub, bytes.substr(0, 10));
    expect_error([&] { decode_audio(stub); }, ExitCode::bad_input, stub, "");
  }
}

TEST(MediaAudioDecoder, VideoWithoutAudio) {
  TempDir dir("audio_video_only");
  const fs::path file = dir / "silent.mp4";
  encode_test_media(file, {}, {16000, 0, true, 1.0});
  expect_error([&] { decode_audio(file); }, ExitCode::bad_input, file, "has no audio stream");
}

TEST(MediaAudioDecoder, UnreadableFile) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads any file";
  TempDir dir("audio_unreadable");
  const fs::path file = dir / "locked.wav";
  encode_test_media(file, test_signal(16000, 1, 0.1), {16000, 1});
  fs::permissions(file, fs::perms::none);
  expect_error([&] { decode_audio(file); }, ExitCode::bad_input, file, "cannot read");
}
