// 16-bit PCM WAV files: the clip format of training sets (16 kHz mono, what every speech tool reads).
#pragma once
#include <filesystem>
#include <span>

namespace auhead::media {

// Writes `samples` (mono, nominal range [-1, 1], clipped) atomically; an output error names the file.
void write_wav_pcm16(const std::filesystem::path& file, std::span<const float> samples, int sample_rate);

}  // namespace auhead::media
