#include "media/audio_decoder.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "auhead/error.h"
#include "media/ffmpeg_util.h"
#include "core/input_file.h"

extern "C" {
#include <libavutil/opt.h>
}

namespace fs = std::filesystem;

namespace auhead::media {

double Audio::duration_seconds() const {
  if (sample_rate <= 0 || channels <= 0) return 0.0;
  return static_cast<double>(frames()) / sample_rate;
}

namespace {

// Longest audio accepted (README: Hostile input): a guard against garbage that decodes to endless
// samples and against memory (2 h of 48 kHz stereo floats is 2.8 GB). A file whose header declares
// more is refused before decoding.
constexpr double kMaxSeconds = 2 * 3600.0;
constexpr const char* kTooLong = "audio is longer than 2 hours; not supported";
// Float samples beyond this many times full scale are not a recording (a corrupt or doctored file).
constexpr float kMaxSampleMagnitude = 16.f;

struct OpenedAudio {
  ff::InputFormat format;
  ff::CodecContext decoder;
  int stream_index = -1;
};

Error corrupt(const std::string& name, int err) {
  return input_error(name, "not an audio file or corrupt: " + ff::error_text(err));
}

OpenedAudio open_audio(const fs::path& file) {
  ff::quiet_logs();
  const std::string name = file.string();
  check_input_file(file);

  OpenedAudio in;
  AVFormatContext* raw = nullptr;
  int err = avformat_open_input(&raw, ff::file_url(name).c_str(), nullptr, nullptr);
  if (err < 0) throw corrupt(name, err);  // avformat_open_input frees raw on failure
  in.format.reset(raw);

  err = avformat_find_stream_info(in.format.get(), nullptr);
  if (err < 0) throw corrupt(name, err);

  const AVCodec* codec = nullptr;
  err = av_find_best_stream(in.format.get(), AVMEDIA_TYPE_AUDIO, -1, -1, &codec, 0);
  if (err == AVERROR_STREAM_NOT_FOUND) throw input_error(name, "has no audio stream");
  if (err == AVERROR_DECODER_NOT_FOUND) {
    // The stream exists but this FFmpeg build cannot decode it.
    int idx = av_find_best_stream(in.format.get(), AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
    const char* codec_name =
        idx >= 0 ? avcodec_get_name(in.format->streams[idx]->codecpar->codec_id) : "unknown";
    throw input_error(name, std::string("audio codec ") + codec_name + " is not supported");
  }
  if (err < 0) throw corrupt(name, err);
  in.stream_index = err;
  for (unsigned i = 0; i < in.format->nb_streams; ++i)
    if (static_cast<int>(i) != in.stream_index) in.format->streams[i]->discard = AVDISCARD_ALL;

  const AVStream* stream = in.format->streams[in.stream_index];
  double declared = 0;
  if (stream->duration != AV_NOPTS_VALUE && stream->duration > 0) declared = stream->duration * av_q2d(stream->time_base);
  else if (in.format->duration != AV_NOPTS_VALUE && in.format->duration > 0)
    declared = static_cast<double>(in.format->duration) / AV_TIME_BASE;
  if (declared > kMaxSeconds) throw input_error(name, kTooLong);
  in.decoder = ff::make_codec_context(codec);
  err = avcodec_parameters_to_context(in.decoder.get(), stream->codecpar);
  if (err < 0) throw corrupt(name, err);
  in.decoder->pkt_timebase = stream->time_base;
  err = avcodec_open2(in.decoder.get(), codec, nullptr);
  if (err < 0) throw input_error(name, std::string("cannot decode its ") + codec->name + " audio: " + ff::error_text(err));
  return in;
}

// A channel layout that libswresample can mix: an unordered layout becomes the default order.
void usable_layout(const AVChannelLayout& src, int channels, AVChannelLayout* dst) {
  if (src.order != AV_CHANNEL_ORDER_UNSPEC && src.nb_channels > 0 &&
      av_channel_layout_check(&src) && av_channel_layout_copy(dst, &src) == 0)
    return;
  av_channel_layout_default(dst, channels);
}

// Converts decoded frames to interleaved float at the target rate and layout. Rebuilds the
// converter if the input's format changes mid-stream (it does in some mp3 and broadcast streams).
class Resampler {
 public:
  Resampler(std::string name, int rate, int channels, std::vector<float>& out)
      : name_(std::move(name)), req_rate_(rate), req_channels_(channels), out_(out) {}
  ~Resampler() {
    av_channel_layout_uninit(&in_layout_);
    av_channel_layout_uninit(&out_layout_);
  }
  Resampler(const Resampler&) = delete;
  Resampler& operator=(const Resampler&) = delete;

  int out_rate() const { return out_rate_; }
  int out_channels() const { return out_layout_.nb_channels; }

  void push(const AVFrame* frame) {
    if (frame->nb_samples <= 0 || frame->sample_rate <= 0 || frame->ch_layout.nb_channels <= 0) return;
    AVChannelLayout layout{};
    usable_layout(frame->ch_layout, frame->ch_layout.nb_channels, &layout);
    const bool same = swr_ && frame->format == in_format_ && frame->sample_rate == in_rate_ &&
                      av_channel_layout_compare(&layout, &in_layout_) == 0;
    if (!same) {
      if (swr_) flush();
      configure(static_cast<AVSampleFormat>(frame->format), frame->sample_rate, layout);
    }
    av_channel_layout_uninit(&layout);
    convert(const_cast<const uint8_t**>(frame->extended_data), frame->nb_samples);
  }

  void flush() {
    if (swr_) convert(nullptr, 0);
  }

 private:
  void configure(AVSampleFormat format, int rate, const AVChannelLayout& layout) {
    if (out_rate_ == 0) {  // the first frame fixes the output format
      out_rate_ = req_rate_ > 0 ? req_rate_ : rate;
      av_channel_layout_default(&out_layout_, req_channels_ > 0 ? req_channels_ : layout.nb_channels);
    }
    av_channel_layout_uninit(&in_layout_);
    av_channel_layout_copy(&in_layout_, &layout);
    in_format_ = format;
    in_rate_ = rate;
    SwrContext* raw = nullptr;
    int err = swr_alloc_set_opts2(&raw, &out_layout_, AV_SAMPLE_FMT_FLT, out_rate_, &in_layout_, format,
                                  rate, 0, nullptr);
    swr_.reset(raw);
    if (err < 0) throw input_error(name_, "cannot convert its audio: " + ff::error_text(err));
    // Normalise the mixing matrix: stereo -> mono becomes (L + R) / 2 rather than 0.707 (L + R).
    av_opt_set_double(swr_.get(), "rematrix_maxval", 1.0, 0);
    err = swr_init(swr_.get());
    if (err < 0) throw input_error(name_, "cannot convert its audio: " + ff::error_text(err));
  }

  void convert(const uint8_t** in, int count) {
    const int channels = out_layout_.nb_channels;
    const int room = swr_get_out_samples(swr_.get(), count);
    if (room < 0) throw input_error(name_, "cannot convert its audio: " + ff::error_text(room));
    if (room == 0) return;
    const std::size_t old = out_.size();
    out_.resize(old + static_cast<std::size_t>(room) * channels);
    uint8_t* dst = reinterpret_cast<uint8_t*>(out_.data() + old);
    const int got = swr_convert(swr_.get(), &dst, room, in, count);
    if (got < 0) {
      out_.resize(old);
      throw input_error(name_, "cannot convert its audio: " + ff::error_text(got));
    }
    out_.resize(old + static_cast<std::size_t>(got) * channels);
    if (static_cast<double>(out_.size()) / channels / out_rate_ > kMaxSeconds)
      throw input_error(name_, kTooLong);
  }

  std::string name_;
  int req_rate_, req_channels_;
  std::vector<float>& out_;
  ff::Swr swr_;
  AVSampleFormat in_format_ = AV_SAMPLE_FMT_NONE;
  int in_rate_ = 0;
  AVChannelLayout in_layout_{};
  int out_rate_ = 0;
  AVChannelLayout out_layout_{};
};

// MP4/MOV files state the exact length of AAC audio in their edit list, but FFmpeg's demuxer
// only trims the encoder's priming at the start, not its padding of the last frame (up to one
// codec frame, 23 ms at 44.1 kHz). Cut that padding, when the excess is small enough to be it.
void trim_encoder_padding(const OpenedAudio& in, Audio& audio) {
  const std::string format = in.format->iformat->name;
  if (format.find("mp4") == std::string::npos && format.find("mov") == std::string::npos) return;
  const AVStream* stream = in.format->streams[in.stream_index];
  if (stream->duration == AV_NOPTS_VALUE || stream->duration <= 0) return;
  const int64_t declared = av_rescale_q(stream->duration, stream->time_base, AVRational{1, audio.sample_rate});
  const int64_t have = static_cast<int64_t>(audio.frames());
  const int64_t max_padding = audio.sample_rate / 5;  // 200 ms: more than any codec frame
  if (declared > 0 && have > declared && have - declared <= max_padding)
    audio.samples.resize(static_cast<std::size_t>(declared) * audio.channels);
}

}  // namespace

Audio decode_audio(const fs::path& file) { return decode_audio(file, kAnalysisSampleRate, 1); }

Audio decode_audio(const fs::path& file, int sample_rate, int channels) {
  if (sample_rate < 0 || sample_rate > 768000)
    throw usage_error("audio sample rate " + std::to_string(sample_rate) + " is out of range (0 to 768000)");
  if (channels < 0 || channels > 64)
    throw usage_error("audio channel count " + std::to_string(channels) + " is out of range (0 to 64)");
  const std::string name = file.string();
  if (check_input_file(file) == 0) throw input_error(name, "contains no audio samples (the file is empty)");

  OpenedAudio in = open_audio(file);
  Audio audio;
  Resampler resampler(name, sample_rate, channels, audio.samples);
  ff::Packet packet = ff::make_packet();
  ff::Frame frame = ff::make_frame();
  int first_error = 0;  // the first decode error, kept for the message if nothing decodes

  auto drain = [&] {
    for (;;) {
      int err = avcodec_receive_frame(in.decoder.get(), frame.get());
      if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) return;
      if (err < 0) {  // a damaged frame: skip it, as players do
        if (!first_error) first_error = err;
        return;
      }
      resampler.push(frame.get());
      av_frame_unref(frame.get());
    }
  };

  for (;;) {
    int err = av_read_frame(in.format.get(), packet.get());
    if (err == AVERROR_EOF) break;
    if (err < 0) {
      // Damaged or truncated container: keep what decoded so far.
      if (!first_error) first_error = err;
      break;
    }
    if (packet->stream_index == in.stream_index) {
      err = avcodec_send_packet(in.decoder.get(), packet.get());
      if (err < 0 && err != AVERROR(EAGAIN) && !first_error) first_error = err;
      drain();
    }
    av_packet_unref(packet.get());
  }
  if (avcodec_send_packet(in.decoder.get(), nullptr) >= 0) drain();
  resampler.flush();

  if (audio.samples.empty()) {
    if (first_error) throw corrupt(name, first_error);
    throw input_error(name, "contains no audio samples");
  }
  // Float formats can carry any value: NaN or samples far beyond full scale are not a recording,
  // and would reach the encoder or the analysis as garbage. Slight overs are clipped.
  for (float& x : audio.samples) {
    if (!(std::abs(x) <= kMaxSampleMagnitude))
      throw input_error(name, std::isfinite(x) ? "has samples far beyond full scale (corrupt?)"
                                               : "has samples that are not numbers (NaN or infinite)");
    x = std::clamp(x, -1.f, 1.f);
  }
  audio.sample_rate = resampler.out_rate();
  audio.channels = resampler.out_channels();
  trim_encoder_padding(in, audio);
  audio.samples.shrink_to_fit();
  return audio;
}

AudioInfo probe_audio(const fs::path& file) {
  const std::string name = file.string();
  if (check_input_file(file) == 0) throw input_error(name, "contains no audio samples (the file is empty)");
  OpenedAudio in = open_audio(file);
  const AVStream* stream = in.format->streams[in.stream_index];
  AudioInfo info;
  info.sample_rate = in.decoder->sample_rate;
  info.channels = in.decoder->ch_layout.nb_channels;
  info.codec = avcodec_get_name(stream->codecpar->codec_id);
  if (stream->duration != AV_NOPTS_VALUE && stream->duration > 0)
    info.duration_seconds = stream->duration * av_q2d(stream->time_base);
  else if (in.format->duration != AV_NOPTS_VALUE && in.format->duration > 0)
    info.duration_seconds = static_cast<double>(in.format->duration) / AV_TIME_BASE;
  if (info.sample_rate <= 0 || info.channels <= 0)
    throw input_error(name, "not an audio file or corrupt: audio stream without sample rate or channels");
  return info;
}

}  // namespace auhead::media
