// Audio decoding through FFmpeg: any file with an audio stream (wav, mp3, flac, ogg, m4a, the audio
// of mp4/mkv, ...) to interleaved float samples at a chosen rate and channel count (libswresample).
#pragma once
#include <filesystem>
#include <string>
#include <vector>

namespace auhead::media {

// The analysis format of the project: 16 kHz mono.
inline constexpr int kAnalysisSampleRate = 16000;

struct Audio {
  std::vector<float> samples;  // interleaved, channels values per sample frame, nominal range [-1, 1]
  int sample_rate = 0;
  int channels = 0;

  std::size_t frames() const { return channels > 0 ? samples.size() / channels : 0; }
  double duration_seconds() const;
};

// What a file's audio stream holds, read from its headers without decoding it.
struct AudioInfo {
  int sample_rate = 0;
  int channels = 0;
  double duration_seconds = 0;  // 0 when the container does not say
  std::string codec;            // FFmpeg codec name, e.g. "mp3"
};

// Decodes the best audio stream of a file to 16 kHz mono (the analysis format).
Audio decode_audio(const std::filesystem::path& file);
// Decodes to the given rate and channel count; 0 keeps the source's. Several channels are
// mixed down to fewer with libswresample's matrix, normalised so that the mix cannot clip.
// Errors (auhead::Error, bad_input, message "<file>: <problem>"): "no such file", "is a folder,
// not a file", "cannot read: <reason>", "not an audio file or corrupt: <reason>", "has no audio
// stream", "contains no audio samples". A damaged tail (truncated file) is decoded up to the damage.
Audio decode_audio(const std::filesystem::path& file, int sample_rate, int channels);

// Reads the audio stream's parameters (same errors as decode_audio, except the last).
AudioInfo probe_audio(const std::filesystem::path& file);

}  // namespace auhead::media
