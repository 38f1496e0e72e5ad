#include "media/media_test_util.h"

#include <cmath>
#include <fstream>
#include <numbers>
#include <random>
#include <stdexcept>

#include "media/ffmpeg_util.h"

extern "C" {
#include <libavutil/opt.h>
}

namespace fs = std::filesystem;

namespace auhead::media::test {

namespace {

double chirp_phase(double f0, double f1, double t, double seconds) {
  return 2.0 * std::numbers::pi * (f0 * t + (f1 - f0) / (2.0 * seconds) * t * t);
}

void check(int err, const std::string& what) {
  if (err < 0) throw std::runtime_error(what + ": " + ff::error_text(err));
}

struct Track {
  ff::CodecContext encoder;
  AVStream* stream = nullptr;
};

void drain(AVFormatContext* muxer, Track& track, AVPacket* packet) {
  for (;;) {
    int err = avcodec_receive_packet(track.encoder.get(), packet);
    if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) return;
    check(err, "receive packet");
    av_packet_rescale_ts(packet, track.encoder->time_base, track.stream->time_base);
    packet->stream_index = track.stream->index;
    check(av_interleaved_write_frame(muxer, packet), "write packet");
  }
}

void send(AVFormatContext* muxer, Track& track, AVFrame* frame, AVPacket* packet) {
  check(avcodec_send_frame(track.encoder.get(), frame), "send frame");
  drain(muxer, track, packet);
}

const char* audio_encoder_for(const std::string& ext) {
  if (ext == ".wav") return "pcm_s16le";
  if (ext == ".mp3") return "libmp3lame";
  if (ext == ".flac") return "flac";
  if (ext == ".ogg" || ext == ".mkv") return "libvorbis";
  return "aac";
}

}  // namespace

float test_signal_value(int channel, double t, double seconds) {
  if (channel % 2 == 0) return static_cast<float>(0.5 * std::sin(chirp_phase(150, 1500, t, seconds)));
  return static_cast<float>(0.4 * std::sin(chirp_phase(1200, 300, t, seconds)));
}

std::vector<float> test_signal(int sample_rate, int channels, double seconds) {
  const auto n = static_cast<std::size_t>(std::llround(seconds * sample_rate));
  std::vector<float> out(n * channels);
  for (std::size_t i = 0; i < n; ++i)
    for (int c = 0; c < channels; ++c)
      out[i * channels + c] = test_signal_value(c, static_cast<double>(i) / sample_rate, seconds);
  return out;
}

std::vector<float> expected_mono(int sample_rate, int source_channels, double seconds) {
  const auto n = static_cast<std::size_t>(std::llround(seconds * sample_rate));
  std::vector<float> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    double sum = 0;
    for (int c = 0; c < source_channels; ++c) sum += test_signal_value(c, static_cast<double>(i) / sample_rate, seconds);
    out[i] = static_cast<float>(sum / source_channels);
  }
  return out;
}

void encode_test_media(const fs::path& file, const std::vector<float>& samples, const EncodeSpec& spec) {
  ff::quiet_logs();
  const std::string path = file.string();
  AVFormatContext* raw = nullptr;
  check(avformat_alloc_output_context2(&raw, nullptr, nullptr, path.c_str()), "guess format");
  ff::OutputFormat muxer(raw);
  ff::Packet packet = ff::make_packet();
  const bool global_header = muxer->oformat->flags & AVFMT_GLOBALHEADER;

  Track audio, video;
  if (spec.channels > 0) {
    const AVCodec* codec = avcodec_find_encoder_by_name(audio_encoder_for(file.extension().string()));
    if (!codec) throw std::runtime_error("no audio encoder");
    audio.encoder = ff::make_codec_context(codec);
    AVCodecContext* c = audio.encoder.get();
    c->sample_fmt = codec->sample_fmts[0];
    c->sample_rate = spec.sample_rate;
    av_channel_layout_default(&c->ch_layout, spec.channels);
    c->time_base = AVRational{1, spec.sample_rate};
    if (codec->id == AV_CODEC_ID_MP3)
      c->bit_rate = spec.sample_rate < 16000 ? 32000 : spec.sample_rate < 32000 ? 64000 : 128000;
    else if (codec->id == AV_CODEC_ID_VORBIS) {
      c->flags |= AV_CODEC_FLAG_QSCALE;
      c->global_quality = 5 * FF_QP2LAMBDA;
    } else if (codec->id == AV_CODEC_ID_AAC)
      c->bit_rate = 64000 * spec.channels;
    if (global_header) c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    check(avcodec_open2(c, codec, nullptr), "open audio encoder");
    audio.stream = avformat_new_stream(muxer.get(), nullptr);
    check(avcodec_parameters_from_context(audio.stream->codecpar, c), "audio parameters");
    audio.stream->time_base = c->time_base;
  }
  const int fps = 10, vw = 64, vh = 48;
  if (spec.video) {
    const AVCodec* codec = avcodec_find_encoder(AV_CODEC_ID_MPEG4);
    video.encoder = ff::make_codec_context(codec);
    AVCodecContext* c = video.encoder.get();
    c->width = vw;
    c->height = vh;
    c->pix_fmt = AV_PIX_FMT_YUV420P;
    c->time_base = AVRational{1, fps};
    c->framerate = AVRational{fps, 1};
    if (global_header) c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    check(avcodec_open2(c, codec, nullptr), "open video encoder");
    video.stream = avformat_new_stream(muxer.get(), nullptr);
    check(avcodec_parameters_from_context(video.stream->codecpar, c), "video parameters");
    video.stream->time_base = c->time_base;
  }
  check(avio_open(&muxer->pb, ff::file_url(path).c_str(), AVIO_FLAG_WRITE), "open " + path);
  check(avformat_write_header(muxer.get(), nullptr), "write header");

  if (audio.encoder) {
    AVCodecContext* c = audio.encoder.get();
    SwrContext* swr_raw = nullptr;
    check(swr_alloc_set_opts2(&swr_raw, &c->ch_layout, c->sample_fmt, c->sample_rate, &c->ch_layout,
                              AV_SAMPLE_FMT_FLT, c->sample_rate, 0, nullptr),
          "swr");
    ff::Swr swr(swr_raw);
    check(swr_init(swr.get()), "swr init");
    const bool variable = c->codec->capabilities & AV_CODEC_CAP_VARIABLE_FRAME_SIZE;
    const bool small_last = c->codec->capabilities & AV_CODEC_CAP_SMALL_LAST_FRAME;
    const int frame_size = (c->frame_size > 0 && !variable) ? c->frame_size : 1024;
    const int64_t total = static_cast<int64_t>(samples.size()) / spec.channels;
    for (int64_t pos = 0; pos < total; pos += frame_size) {
      const int n = static_cast<int>(std::min<int64_t>(frame_size, total - pos));
      std::vector<float> chunk(samples.begin() + pos * spec.channels,
                               samples.begin() + (pos + n) * spec.channels);
      int frame_n = n;
      if (n < frame_size && !small_last && !variable) {
        chunk.resize(static_cast<std::size_t>(frame_size) * spec.channels, 0.0f);
        frame_n = frame_size;
      }
      ff::Frame f = ff::make_frame();
      f->format = c->sample_fmt;
      f->sample_rate = c->sample_rate;
      f->nb_samples = frame_n;
      check(av_channel_layout_copy(&f->ch_layout, &c->ch_layout), "layout");
      check(av_frame_get_buffer(f.get(), 0), "frame buffer");
      const uint8_t* in[1] = {reinterpret_cast<const uint8_t*>(chunk.data())};
      check(swr_convert(swr.get(), f->extended_data, frame_n, in, frame_n), "convert");
      f->pts = pos;
      send(muxer.get(), audio, f.get(), packet.get());
    }
    send(muxer.get(), audio, nullptr, packet.get());
  }
  if (video.encoder) {
    AVCodecContext* c = video.encoder.get();
    const int frames = static_cast<int>(std::ceil(spec.video_seconds * fps));
    for (int i = 0; i < frames; ++i) {
      ff::Frame f = ff::make_frame();
      f->format = c->pix_fmt;
      f->width = vw;
      f->height = vh;
      check(av_frame_get_buffer(f.get(), 0), "frame buffer");
      for (int y = 0; y < vh; ++y) std::fill_n(f->data[0] + y * f->linesize[0], vw, static_cast<uint8_t>(16 + 4 * i));
      for (int p = 1; p < 3; ++p)
        for (int y = 0; y < vh / 2; ++y) std::fill_n(f->data[p] + y * f->linesize[p], vw / 2, uint8_t{128});
      f->pts = i;
      send(muxer.get(), video, f.get(), packet.get());
    }
    send(muxer.get(), video, nullptr, packet.get());
  }
  check(av_write_trailer(muxer.get()), "trailer");
}

double best_correlation(const std::vector<float>& a, const std::vector<float>& b, int max_lag, int* best_lag) {
  double best = -2.0;
  for (int lag = -max_lag; lag <= max_lag; ++lag) {
    double ab = 0, aa = 0, bb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
      const long j = static_cast<long>(i) + lag;
      if (j < 0 || j >= static_cast<long>(b.size())) continue;
      ab += static_cast<double>(a[i]) * b[j];
      aa += static_cast<double>(a[i]) * a[i];
      bb += static_cast<double>(b[j]) * b[j];
    }
    const double r = (aa > 0 && bb > 0) ? ab / std::sqrt(aa * bb) : 0.0;
    if (r > best) {
      best = r;
      if (best_lag) *best_lag = lag;
    }
  }
  return best;
}

std::vector<float> channel_of(const std::vector<float>& interleaved, int channels, int channel) {
  std::vector<float> out(interleaved.size() / channels);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = interleaved[i * channels + channel];
  return out;
}

void write_bytes(const fs::path& file, const std::string& bytes) {
  std::ofstream out(file, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace auhead::media::test
