#include "media/video_writer.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <optional>

#include "auhead/error.h"
#include "core/atomic_file.h"
#include "media/audio_decoder.h"
#include "media/ffmpeg_util.h"

extern "C" {
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
}

namespace fs = std::filesystem;

namespace auhead::media {

FrameRate FrameRate::from_fps(double fps) {
  for (int base : {24, 30, 60})
    if (std::abs(fps - base * 1000.0 / 1001.0) < 0.005) return {base * 1000, 1001};
  int num = int(std::lround(fps * 1000)), den = 1000;
  int g = std::gcd(num, den);
  return {num / g, den / g};
}

namespace {

constexpr std::array<int, 13> kAacRates = {7350,  8000,  11025, 12000, 16000, 22050, 24000,
                                           32000, 44100, 48000, 64000, 88200, 96000};

// The AAC rate used for a source rate: the smallest supported rate at or above it, at most 48 kHz.
int aac_rate_for(int source_rate) {
  for (int r : kAacRates)
    if (r >= source_rate && r <= 48000) return r;
  return 48000;
}

}  // namespace

struct VideoWriter::Impl {
  // Declared first so that it is destroyed last, after the muxer has closed the temporary file.
  std::optional<AtomicFile> file;
  std::string name;
  int width = 0, height = 0;
  FrameRate fps;

  ff::OutputFormat muxer;
  ff::CodecContext video_encoder;
  AVStream* video_stream = nullptr;
  ff::Sws to_yuv;
  ff::Frame yuv;
  ff::Packet packet;

  ff::CodecContext audio_encoder;
  AVStream* audio_stream = nullptr;
  Audio audio;               // decoded source at the encoder's rate and channel count
  int64_t audio_sent = 0;    // sample frames given to the encoder

  int frames = 0;
  bool finished = false;
  bool failed = false;

  Error out_error(const std::string& what, int err) const {
    return output_error(name, what + ": " + ff::error_text(err));
  }

  void open_video(const VideoWriterOptions& options) {
    const AVCodec* codec = avcodec_find_encoder_by_name("libx264");
    if (!codec) throw unavailable_error("H.264 encoder libx264 is not available in this FFmpeg build");
    video_stream = avformat_new_stream(muxer.get(), nullptr);
    if (!video_stream) throw std::bad_alloc();
    video_encoder = ff::make_codec_context(codec);
    AVCodecContext* c = video_encoder.get();
    c->width = width;
    c->height = height;
    c->pix_fmt = AV_PIX_FMT_YUV420P;
    c->time_base = AVRational{fps.den, fps.num};
    c->framerate = AVRational{fps.num, fps.den};
    c->sample_aspect_ratio = AVRational{1, 1};
    c->thread_count = options.threads;
    // swscale's RGB -> YUV uses BT.601 limited range; say so in the stream.
    c->color_range = AVCOL_RANGE_MPEG;
    c->colorspace = AVCOL_SPC_SMPTE170M;
    c->color_primaries = AVCOL_PRI_SMPTE170M;
    c->color_trc = AVCOL_TRC_SMPTE170M;
    if (muxer->oformat->flags & AVFMT_GLOBALHEADER) c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;

    AVDictionary* opts = nullptr;
    av_dict_set(&opts, "crf", std::to_string(options.crf).c_str(), 0);
    av_dict_set(&opts, "preset", options.preset.c_str(), 0);
    int err = avcodec_open2(c, codec, &opts);
    av_dict_free(&opts);
    if (err < 0)
      throw usage_error("cannot start the H.264 encoder (preset \"" + options.preset + "\", crf " +
                        std::to_string(options.crf) + "): " + ff::error_text(err));
    err = avcodec_parameters_from_context(video_stream->codecpar, c);
    if (err < 0) throw out_error("cannot set up the video stream", err);
    video_stream->time_base = c->time_base;
    video_stream->avg_frame_rate = c->framerate;
    video_stream->r_frame_rate = c->framerate;
    video_stream->sample_aspect_ratio = c->sample_aspect_ratio;

    to_yuv.reset(sws_getContext(width, height, AV_PIX_FMT_RGB24, width, height, AV_PIX_FMT_YUV420P,
                                SWS_BILINEAR, nullptr, nullptr, nullptr));
    if (!to_yuv) throw Error(ExitCode::internal, name + ": cannot set up RGB to YUV conversion");
    yuv = ff::make_frame();
    yuv->format = AV_PIX_FMT_YUV420P;
    yuv->width = width;
    yuv->height = height;
    err = av_frame_get_buffer(yuv.get(), 0);
    if (err < 0) throw std::bad_alloc();
  }

  void open_audio(const fs::path& source, const VideoWriterOptions& options) {
    const AudioInfo info = probe_audio(source);
    const int rate = aac_rate_for(info.sample_rate);
    const int channels = std::min(info.channels, 2);
    audio = decode_audio(source, rate, channels);

    const AVCodec* codec = avcodec_find_encoder(AV_CODEC_ID_AAC);
    if (!codec) throw unavailable_error("AAC encoder is not available in this FFmpeg build");
    audio_stream = avformat_new_stream(muxer.get(), nullptr);
    if (!audio_stream) throw std::bad_alloc();
    audio_encoder = ff::make_codec_context(codec);
    AVCodecContext* c = audio_encoder.get();
    c->sample_fmt = AV_SAMPLE_FMT_FLTP;
    c->sample_rate = rate;
    av_channel_layout_default(&c->ch_layout, channels);
    c->bit_rate = options.audio_bitrate;
    c->time_base = AVRational{1, rate};
    if (muxer->oformat->flags & AVFMT_GLOBALHEADER) c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    int err = avcodec_open2(c, codec, nullptr);
    if (err < 0) throw out_error("cannot start the AAC encoder", err);
    err = avcodec_parameters_from_context(audio_stream->codecpar, c);
    if (err < 0) throw out_error("cannot set up the audio stream", err);
    audio_stream->time_base = c->time_base;
  }

  // Sends every packet the encoder has ready to the muxer.
  void drain(AVCodecContext* encoder, AVStream* stream) {
    for (;;) {
      int err = avcodec_receive_packet(encoder, packet.get());
      if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) return;
      if (err < 0) throw out_error("encoding failed", err);
      av_packet_rescale_ts(packet.get(), encoder->time_base, stream->time_base);
      packet->stream_index = stream->index;
      err = av_interleaved_write_frame(muxer.get(), packet.get());  // takes the packet's data
      if (err < 0) throw out_error("cannot write", err);
    }
  }

  void send(AVCodecContext* encoder, AVStream* stream, const AVFrame* frame) {
    int err = avcodec_send_frame(encoder, frame);
    if (err < 0) throw out_error("encoding failed", err);
    drain(encoder, stream);
  }

  // Audio sample frames that belong with the first n video frames.
  int64_t audio_samples_for(int64_t n) const {
    return av_rescale_rnd(n * fps.den, audio_encoder->sample_rate, fps.num, AV_ROUND_NEAR_INF);
  }

  // Encodes source audio (silence past its end) up to sample frame `end`; whole encoder frames
  // only unless `last`, which also encodes the final short frame.
  void encode_audio_until(int64_t end, bool last) {
    AVCodecContext* c = audio_encoder.get();
    const int frame_size = c->frame_size > 0 ? c->frame_size : 1024;
    const int channels = c->ch_layout.nb_channels;
    const int64_t available = static_cast<int64_t>(audio.frames());
    while (audio_sent < end) {
      const int64_t n = std::min<int64_t>(frame_size, end - audio_sent);
      if (n < frame_size && !last) break;
      ff::Frame f = ff::make_frame();
      f->format = c->sample_fmt;
      f->sample_rate = c->sample_rate;
      f->nb_samples = static_cast<int>(n);
      int err = av_channel_layout_copy(&f->ch_layout, &c->ch_layout);
      if (err < 0 || av_frame_get_buffer(f.get(), 0) < 0) throw std::bad_alloc();
      for (int ch = 0; ch < channels; ++ch) {
        float* dst = reinterpret_cast<float*>(f->extended_data[ch]);
        for (int64_t i = 0; i < n; ++i) {
          const int64_t s = audio_sent + i;
          dst[i] = s < available ? audio.samples[static_cast<std::size_t>(s * channels + ch)] : 0.0f;
        }
      }
      f->pts = audio_sent;
      audio_sent += n;
      send(c, audio_stream, f.get());
    }
  }

  void write(const cv::Mat& rgb) {
    if (finished) throw Error(ExitCode::internal, name + ": frame written after finish()");
    if (failed) throw Error(ExitCode::internal, name + ": frame written after a failed write");
    if (rgb.type() != CV_8UC3 || rgb.cols != width || rgb.rows != height)
      throw Error(ExitCode::internal, name + ": frame must be CV_8UC3 RGB " + std::to_string(width) + "x" +
                                          std::to_string(height) + ", got " + std::to_string(rgb.cols) + "x" +
                                          std::to_string(rgb.rows) + " with " + std::to_string(rgb.channels()) +
                                          " channel(s)");
    failed = true;  // until this frame is through
    int err = av_frame_make_writable(yuv.get());
    if (err < 0) throw std::bad_alloc();
    const uint8_t* src[1] = {rgb.data};
    const int src_stride[1] = {static_cast<int>(rgb.step[0])};
    sws_scale(to_yuv.get(), src, src_stride, 0, height, yuv->data, yuv->linesize);
    yuv->pts = frames;
    send(video_encoder.get(), video_stream, yuv.get());
    ++frames;
    if (audio_encoder) encode_audio_until(audio_samples_for(frames), false);
    failed = false;
  }

  void finish() {
    if (finished) return;
    if (failed) throw Error(ExitCode::internal, name + ": finish() after a failed write");
    if (frames == 0) throw output_error(name, "no video frames were written");
    failed = true;
    send(video_encoder.get(), video_stream, nullptr);
    if (audio_encoder) {
      encode_audio_until(audio_samples_for(frames), true);
      send(audio_encoder.get(), audio_stream, nullptr);
    }
    int err = av_write_trailer(muxer.get());
    if (err < 0) throw out_error("cannot finish the file", err);
    err = avio_closep(&muxer->pb);
    if (err < 0) throw out_error("cannot write", err);
    file->commit();
    finished = true;
    failed = false;
  }
};

VideoWriter::VideoWriter(const fs::path& file, int width, int height, FrameRate fps, const fs::path& audio,
                         const VideoWriterOptions& options)
    : impl_(std::make_unique<Impl>()) {
  ff::quiet_logs();
  Impl& m = *impl_;
  m.name = file.string();
  m.width = width;
  m.height = height;
  m.fps = fps;
  if (width <= 0 || height <= 0 || width % 2 || height % 2 || width > 16384 || height > 16384)
    throw usage_error("video size " + std::to_string(width) + "x" + std::to_string(height) +
                      " is not supported: width and height must be even, from 2 to 16384 (H.264 yuv420p)");
  if (fps.num <= 0 || fps.den <= 0 || fps.value() > 1000.0)
    throw usage_error("video frame rate " + std::to_string(fps.num) + "/" + std::to_string(fps.den) +
                      " is out of range (above 0, at most 1000)");
  if (options.crf < 0 || options.crf > 51)
    throw usage_error("video crf " + std::to_string(options.crf) + " is out of range (0 to 51)");
  if (options.threads < 0) throw usage_error("video encoder threads must be 0 (auto) or more");

  m.file.emplace(file);  // checks that the folder exists and is writable
  const std::string temp = m.file->temp_path().string();
  AVFormatContext* raw = nullptr;
  int err = avformat_alloc_output_context2(&raw, nullptr, nullptr, temp.c_str());
  if (err < 0 || !raw)
    throw output_error(m.name, "unknown video format for extension \"" + file.extension().string() +
                                   "\" (use .mp4)");
  m.muxer.reset(raw);
  if (m.muxer->oformat->video_codec == AV_CODEC_ID_NONE ||
      avformat_query_codec(m.muxer->oformat, AV_CODEC_ID_H264, FF_COMPLIANCE_NORMAL) == 0)
    throw output_error(m.name, std::string("the ") + m.muxer->oformat->name +
                                   " format cannot hold H.264 video (use .mp4)");

  m.open_video(options);
  if (!audio.empty()) m.open_audio(audio, options);
  m.packet = ff::make_packet();

  err = avio_open(&m.muxer->pb, ff::file_url(temp).c_str(), AVIO_FLAG_WRITE);
  if (err < 0) throw m.out_error("cannot write", err);
  AVDictionary* opts = nullptr;
  const std::string format = m.muxer->oformat->name;
  if (format.find("mp4") != std::string::npos || format.find("mov") != std::string::npos)
    av_dict_set(&opts, "movflags", "+faststart", 0);  // index first, for streaming playback
  err = avformat_write_header(m.muxer.get(), &opts);
  av_dict_free(&opts);
  if (err < 0) throw m.out_error("cannot write", err);
}

VideoWriter::~VideoWriter() = default;

void VideoWriter::write(const cv::Mat& rgb) { impl_->write(rgb); }
void VideoWriter::finish() { impl_->finish(); }
int VideoWriter::frames_written() const { return impl_->frames; }
const fs::path& VideoWriter::path() const { return impl_->file->target(); }

}  // namespace auhead::media
