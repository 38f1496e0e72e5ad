#include "media/pcm_resampler.h"

#include "auhead/error.h"
#include "media/ffmpeg_util.h"

namespace auhead::media {

struct PcmResampler::Impl {
  ff::Swr swr;

  std::vector<float> convert(const float* in, int count) {
    const int room = swr_get_out_samples(swr.get(), count);
    if (room < 0) throw Error(ExitCode::internal, "resampler: " + ff::error_text(room));
    std::vector<float> out(static_cast<std::size_t>(room));
    if (room == 0) return out;
    uint8_t* dst = reinterpret_cast<uint8_t*>(out.data());
    const uint8_t* src = reinterpret_cast<const uint8_t*>(in);
    const int got = swr_convert(swr.get(), &dst, room, in ? &src : nullptr, count);
    if (got < 0) throw Error(ExitCode::internal, "resampler: " + ff::error_text(got));
    out.resize(static_cast<std::size_t>(got));
    return out;
  }
};

PcmResampler::PcmResampler(int in_rate, int out_rate) : impl_(std::make_unique<Impl>()) {
  for (int r : {in_rate, out_rate})
    if (r < 1000 || r > 384000) throw usage_error("sample rate " + std::to_string(r) + " Hz: 1000 to 384000 Hz expected");
  AVChannelLayout mono{};
  av_channel_layout_default(&mono, 1);
  SwrContext* raw = nullptr;
  int err = swr_alloc_set_opts2(&raw, &mono, AV_SAMPLE_FMT_FLT, out_rate, &mono, AV_SAMPLE_FMT_FLT, in_rate, 0, nullptr);
  impl_->swr.reset(raw);
  if (err >= 0) err = swr_init(impl_->swr.get());
  if (err < 0) throw Error(ExitCode::internal, "resampler: " + ff::error_text(err));
}

PcmResampler::~PcmResampler() = default;
PcmResampler::PcmResampler(PcmResampler&&) noexcept = default;
PcmResampler& PcmResampler::operator=(PcmResampler&&) noexcept = default;

std::vector<float> PcmResampler::push(std::span<const float> samples) {
  if (samples.empty()) return {};
  return impl_->convert(samples.data(), int(samples.size()));
}

std::vector<float> PcmResampler::flush() { return impl_->convert(nullptr, 0); }

}  // namespace auhead::media
