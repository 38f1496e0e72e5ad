// Test helpers for the media module: synthetic signals, a small FFmpeg encoder that writes them to
// wav/mp3/flac/ogg/m4a/mp4/mkv (optionally with a video track), temp folders and correlation.
#pragma once
#include "test_util.h"
#include <filesystem>
#include <string>
#include <vector>

namespace auhead::media::test {

using auhead::test::TempDir;

// Channel 0: rising chirp 150 -> 1500 Hz; channel 1: falling chirp 1200 -> 300 Hz (so swapped or
// mixed-up channels are detected). Values for time t in a signal of the given length.
float test_signal_value(int channel, double t, double seconds);
// Interleaved samples of the test signal.
std::vector<float> test_signal(int sample_rate, int channels, double seconds);
// What decode_audio(file) (16 kHz mono) should give for the test signal: the mean of the channels.
std::vector<float> expected_mono(int sample_rate, int source_channels, double seconds);

struct EncodeSpec {
  int sample_rate = 16000;
  int channels = 1;           // 0: no audio track (needs video)
  bool video = false;         // add a small MPEG-4 video track (mp4/mkv)
  double video_seconds = 1.0; // length of the video track
};
// Writes the interleaved samples with the codec the extension implies: .wav pcm_s16le, .mp3 lame,
// .flac, .ogg/.mkv vorbis, .m4a/.mp4 aac. Throws std::runtime_error on failure.
void encode_test_media(const std::filesystem::path& file, const std::vector<float>& samples,
                       const EncodeSpec& spec);

// Best normalised cross-correlation of b against a over lags -max_lag..max_lag (b shifted).
double best_correlation(const std::vector<float>& a, const std::vector<float>& b, int max_lag,
                        int* best_lag = nullptr);

// One channel of interleaved samples.
std::vector<float> channel_of(const std::vector<float>& interleaved, int channels, int channel);

// Writes bytes to a file as they are.
void write_bytes(const std::filesystem::path& file, const std::string& bytes);

}  // namespace auhead::media::test
