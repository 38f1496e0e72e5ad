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

// One container/codec per test (each ctest entry is a process, and process start dominates).
struct DecodeCase {
  std::string name;
  std::vector<std::string> extensions;
};
void PrintTo(const DecodeCase& c, std::ostream* os) { *os << c.name; }

}  // namespace

class MediaAudioDecode : public testing::TestWithParam<DecodeCase> {};

// Every rate and channel count of the brief, decoded to 16 kHz mono: right length (within 20 ms)
// and the same waveform as the mean of the source channels, not shifted.
TEST_P(MediaAudioDecode, ToAnalysisFormatAtAllRates) {
  TempDir dir("audio_decode");
  for (const std::string& ext : GetParam().extensions) {
    for (int rate : {8000, 22050, 44100, 48000}) {
      for (int channels : {1, 2}) {
        SCOPED_TRACE(ext + " " + std::to_string(rate) + " Hz " + std::to_string(channels) + " ch");
        const fs::path file = dir / ("in_" + std::to_string(rate) + "_" + std::to_string(channels) + ext);
        EncodeSpec spec{rate, channels, ext == ".mp4" || ext == ".mkv", kSeconds};
        encode_test_media(file, test_signal(rate, channels, kSeconds), spec);

        const Audio audio = decode_audio(file);
        EXPECT_EQ(audio.sample_rate, 16000);
        EXPECT_EQ(audio.channels, 1);
        // Matroska has no end-trim field for Vorbis: the last block's padding (24 ms at 8 kHz) stays.
        EXPECT_NEAR(audio.duration_seconds(), kSeconds, ext == ".mkv" ? 0.030 : 0.020);

        const std::vector<float> want = expected_mono(16000, channels, kSeconds);
        int lag = 0;
        const double r = best_correlation(want, audio.samples, 160, &lag);
        EXPECT_GT(r, 0.95) << "lag " << lag;
        EXPECT_LE(std::abs(lag), 16) << "decoded audio is shifted by " << lag << " samples";
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(MediaFormats, MediaAudioDecode,
                         testing::Values(DecodeCase{"wav", {".wav"}}, DecodeCase{"mp3", {".mp3"}},
                                         DecodeCase{"flac", {".flac"}}, DecodeCase{"ogg_vorbis", {".ogg"}},
                                         DecodeCase{"m4a_aac", {".m4a"}},
                                         DecodeCase{"video_mp4_mkv", {".mp4", ".mkv"}}),
                         [](const testing::TestParamInfo<DecodeCase>& info) { return info.param.name; });

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

TEST(MediaAudioDecoder, MissingFolderEmptyAndTextFiles) {
  const fs::path missing = "/nonexistent-auhead/speech.wav";
  expect_error([&] { decode_audio(missing); }, ExitCode::bad_input, missing, "no such file");

  TempDir dir("audio_bad_files");
  expect_error([&] { decode_audio(dir.path()); }, ExitCode::bad_input, dir.path(), "is a folder");

  const fs::path empty = dir / "empty.wav";
  write_bytes(empty, "");
  expect_error([&] { decode_audio(empty); }, ExitCode::bad_input, empty, "contains no audio samples");

  const fs::path silent = dir / "silent.wav";  // a valid header with no samples
  encode_test_media(silent, {}, {16000, 1});
  expect_error([&] { decode_audio(silent); }, ExitCode::bad_input, silent, "contains no audio samples");

  const fs::path text = dir / "notes.wav";
  write_bytes(text, "This is not audio.\nJust some text that happens to be called .wav\n");
  expect_error([&] { decode_audio(text); }, ExitCode::bad_input, text, "not an audio file or corrupt");
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
