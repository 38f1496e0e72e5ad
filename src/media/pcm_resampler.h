// Mono float PCM from one sample rate to another in pieces of any size (libswresample), for audio that
// arrives as a stream (StreamSession, `auhead serve`'s WebSocket): what comes out of each push() is
// final; flush() drains the filter's last samples at the end.
#pragma once
#include <memory>
#include <span>
#include <vector>

namespace auhead::media {

class PcmResampler {
 public:
  PcmResampler(int in_rate, int out_rate);  // 1000 to 384000 Hz each (usage error otherwise)
  ~PcmResampler();
  PcmResampler(PcmResampler&&) noexcept;
  PcmResampler& operator=(PcmResampler&&) noexcept;

  std::vector<float> push(std::span<const float> samples);
  std::vector<float> flush();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace auhead::media
