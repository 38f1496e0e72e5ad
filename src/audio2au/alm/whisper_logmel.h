// Whisper's log-mel front end (16 kHz, n_fft 400, hop 160, Slaney mel filters, log10, max-8 floor,
// (x+4)/4) over a zero-padded 30-s window, as the Qwen2-Audio feature extractor feeds its encoder.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <span>

namespace auhead::audio2au::alm {

inline constexpr int kWhisperSampleRate = 16000;
inline constexpr int kWhisperNfft = 400;
inline constexpr int kWhisperHop = 160;
inline constexpr int64_t kWhisperWindowSamples = 480000;  // 30 s
inline constexpr int64_t kWhisperWindowFrames = 3000;

// librosa.filters.mel(sr, n_fft, n_mels, fmin 0, fmax sr/2, htk=False, norm="slaney") as float32:
// (n_mels, n_fft/2 + 1).
torch::Tensor slaney_mel_filterbank(int sample_rate, int n_fft, int n_mels);

// Log-mel of `samples` (float, 16 kHz mono) zero-padded (or cut) to `window_samples`:
// float32 (n_mels, window_samples / 160). The max-8 floor is taken over the whole window.
torch::Tensor whisper_log_mel(std::span<const float> samples, int n_mels,
                              int64_t window_samples = kWhisperWindowSamples);
torch::Tensor whisper_log_mel(const torch::Tensor& samples, int n_mels,
                              int64_t window_samples = kWhisperWindowSamples);

// Frames that hold signal: ceil(n_samples / 160), at most the window's (what the fixtures compare).
int64_t whisper_valid_frames(int64_t n_samples, int64_t window_samples = kWhisperWindowSamples);

}  // namespace auhead::audio2au::alm
