#include "audio2au/alm/whisper_logmel.h"

#include <torch/torch.h>

#include <cmath>
#include <map>
#include <mutex>
#include <vector>

#include "auhead/error.h"

namespace auhead::audio2au::alm {

namespace {

// Slaney's auditory scale: linear below 1 kHz (200/3 Hz per mel), logarithmic above.
constexpr double kFsp = 200.0 / 3.0;
constexpr double kMinLogHz = 1000.0;
constexpr double kMinLogMel = kMinLogHz / kFsp;
const double kLogStep = std::log(6.4) / 27.0;

double hz_to_mel(double hz) {
  return hz >= kMinLogHz ? kMinLogMel + std::log(hz / kMinLogHz) / kLogStep : hz / kFsp;
}
double mel_to_hz(double mel) {
  return mel >= kMinLogMel ? kMinLogHz * std::exp(kLogStep * (mel - kMinLogMel)) : kFsp * mel;
}

// Filterbanks are small and reused: cache them by (sample rate, n_fft, n_mels), double precision.
torch::Tensor cached_filters_f64(int sample_rate, int n_fft, int n_mels) {
  static std::mutex mutex;
  static std::map<std::tuple<int, int, int>, torch::Tensor> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto key = std::make_tuple(sample_rate, n_fft, n_mels);
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  torch::Tensor f = slaney_mel_filterbank(sample_rate, n_fft, n_mels).to(torch::kDouble);
  cache[key] = f;
  return f;
}

}  // namespace

torch::Tensor slaney_mel_filterbank(int sample_rate, int n_fft, int n_mels) {
  if (n_mels <= 0 || n_fft <= 0 || sample_rate <= 0) throw usage_error("mel filterbank: sizes must be positive");
  const int bins = n_fft / 2 + 1;
  std::vector<double> fft_freqs(bins);
  for (int k = 0; k < bins; ++k) fft_freqs[k] = (sample_rate / 2.0) * k / (bins - 1);
  const double mel_lo = hz_to_mel(0.0), mel_hi = hz_to_mel(sample_rate / 2.0);
  std::vector<double> mel_f(n_mels + 2);
  for (int i = 0; i < n_mels + 2; ++i) mel_f[i] = mel_to_hz(mel_lo + (mel_hi - mel_lo) * i / (n_mels + 1));
  torch::Tensor out = torch::zeros({n_mels, bins}, torch::kFloat);
  auto a = out.accessor<float, 2>();
  for (int i = 0; i < n_mels; ++i) {
    const double d0 = mel_f[i + 1] - mel_f[i], d1 = mel_f[i + 2] - mel_f[i + 1];
    const double enorm = 2.0 / (mel_f[i + 2] - mel_f[i]);
    for (int k = 0; k < bins; ++k) {
      const double lower = -(mel_f[i] - fft_freqs[k]) / d0;
      const double upper = (mel_f[i + 2] - fft_freqs[k]) / d1;
      const double w = std::max(0.0, std::min(lower, upper));
      a[i][k] = static_cast<float>(w * enorm);
    }
  }
  return out;
}

int64_t whisper_valid_frames(int64_t n_samples, int64_t window_samples) {
  const int64_t n = std::min(n_samples, window_samples);
  return std::min((n + kWhisperHop - 1) / kWhisperHop, window_samples / kWhisperHop);
}

torch::Tensor whisper_log_mel(const torch::Tensor& samples, int n_mels, int64_t window_samples) {
  if (samples.dim() != 1) throw usage_error("whisper_log_mel: expected a 1-D signal");
  if (window_samples < kWhisperNfft) throw usage_error("whisper_log_mel: window shorter than one FFT");
  torch::InferenceMode guard;
  torch::Tensor x = samples.to(torch::kFloat).to(torch::kDouble);
  const int64_t n = std::min<int64_t>(x.size(0), window_samples);
  torch::Tensor padded = torch::zeros({window_samples}, torch::kDouble);
  padded.narrow(0, 0, n).copy_(x.narrow(0, 0, n));
  torch::Tensor window = torch::hann_window(kWhisperNfft, /*periodic=*/true, torch::TensorOptions().dtype(torch::kDouble));
  torch::Tensor spec = torch::stft(padded, kWhisperNfft, kWhisperHop, kWhisperNfft, window, /*center=*/true,
                                   "reflect", /*normalized=*/false, /*onesided=*/true, /*return_complex=*/true);
  spec = spec.narrow(1, 0, spec.size(1) - 1);  // Whisper drops the last frame
  torch::Tensor power = spec.abs().pow(2);     // (bins, frames)
  torch::Tensor mel = torch::matmul(cached_filters_f64(kWhisperSampleRate, kWhisperNfft, n_mels), power);
  torch::Tensor log_spec = mel.clamp_min(1e-10).log10();
  log_spec = torch::maximum(log_spec, log_spec.max() - 8.0);
  return ((log_spec + 4.0) / 4.0).to(torch::kFloat).contiguous();
}

torch::Tensor whisper_log_mel(std::span<const float> samples, int n_mels, int64_t window_samples) {
  torch::Tensor t = torch::from_blob(const_cast<float*>(samples.data()), {static_cast<int64_t>(samples.size())},
                                     torch::kFloat);
  return whisper_log_mel(t, n_mels, window_samples);
}

}  // namespace auhead::audio2au::alm
