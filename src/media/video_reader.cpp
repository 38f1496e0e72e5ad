#include "media/video_reader.h"

#include "auhead/error.h"
#include "media/ffmpeg_util.h"
#include "core/input_file.h"

extern "C" {
#include <libavutil/imgutils.h>
}

namespace auhead::media {

struct VideoReader::Impl {
  std::string name;
  VideoInfo info;
  ff::InputFormat format;
  ff::CodecContext decoder;
  int stream_index = -1;
  ff::Sws to_rgb;
  int sws_w = 0, sws_h = 0, sws_fmt = -1;
  ff::Frame frame = ff::make_frame();
  ff::Packet packet = ff::make_packet();
  bool damaged = false;      // the stream ended at damage rather than at its end
  bool input_done = false;   // demuxer exhausted (or damaged), decoder flushed
  bool decoder_done = false; // decoder returned EOF

  Error corrupt(int err) const { return input_error(name, "not a video file or corrupt: " + ff::error_text(err)); }

  void open(const std::filesystem::path& file) {
    ff::quiet_logs();
    name = file.string();
    check_input_file(file);
    AVFormatContext* raw = nullptr;
    int err = avformat_open_input(&raw, ff::file_url(name).c_str(), nullptr, nullptr);
    if (err < 0) throw corrupt(err);
    format.reset(raw);
    err = avformat_find_stream_info(format.get(), nullptr);
    if (err < 0) throw corrupt(err);
    const AVCodec* codec = nullptr;
    err = av_find_best_stream(format.get(), AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
    if (err == AVERROR_STREAM_NOT_FOUND) throw input_error(name, "has no video stream");
    if (err == AVERROR_DECODER_NOT_FOUND) {
      int idx = av_find_best_stream(format.get(), AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
      const char* cname = idx >= 0 ? avcodec_get_name(format->streams[idx]->codecpar->codec_id) : "unknown";
      throw input_error(name, std::string("video codec ") + cname + " is not supported");
    }
    if (err < 0) throw corrupt(err);
    stream_index = err;
    for (unsigned i = 0; i < format->nb_streams; ++i)
      if (int(i) != stream_index) format->streams[i]->discard = AVDISCARD_ALL;
    const AVStream* st = format->streams[stream_index];
    decoder = ff::make_codec_context(codec);
    err = avcodec_parameters_to_context(decoder.get(), st->codecpar);
    if (err < 0) throw corrupt(err);
    decoder->pkt_timebase = st->time_base;
    err = avcodec_open2(decoder.get(), codec, nullptr);
    if (err < 0) throw input_error(name, std::string("cannot decode its ") + codec->name + " video: " + ff::error_text(err));
    info.width = decoder->width;
    info.height = decoder->height;
    AVRational r = st->avg_frame_rate.num > 0 && st->avg_frame_rate.den > 0 ? st->avg_frame_rate : st->r_frame_rate;
    info.fps = r.den > 0 ? av_q2d(r) : 0.0;
    if (st->duration > 0) info.duration_seconds = st->duration * av_q2d(st->time_base);
    else if (format->duration > 0) info.duration_seconds = double(format->duration) / AV_TIME_BASE;
    info.codec = codec->name;
    if (info.width <= 0 || info.height <= 0) throw input_error(name, "has a video stream without a frame size");
  }

  cv::Mat convert(const AVFrame* f) {
    if (!to_rgb || f->width != sws_w || f->height != sws_h || f->format != sws_fmt) {
      to_rgb.reset(sws_getContext(f->width, f->height, AVPixelFormat(f->format), f->width, f->height,
                                  AV_PIX_FMT_RGB24, SWS_BILINEAR | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT,
                                  nullptr, nullptr, nullptr));
      if (!to_rgb) throw input_error(name, "cannot convert its video frames to RGB");
      sws_w = f->width, sws_h = f->height, sws_fmt = f->format;
    }
    cv::Mat rgb(f->height, f->width, CV_8UC3);
    uint8_t* dst[4] = {rgb.data, nullptr, nullptr, nullptr};
    int stride[4] = {int(rgb.step[0]), 0, 0, 0};
    sws_scale(to_rgb.get(), f->data, f->linesize, 0, f->height, dst, stride);
    return rgb;
  }

  bool next(cv::Mat& rgb) {
    while (!decoder_done) {
      int err = avcodec_receive_frame(decoder.get(), frame.get());
      if (err == 0) {
        rgb = convert(frame.get());
        av_frame_unref(frame.get());
        return true;
      }
      if (err == AVERROR_EOF) {
        decoder_done = true;
        break;
      }
      if (err != AVERROR(EAGAIN)) {  // a damaged frame: stop here rather than fail the whole file
        decoder_done = true;
        damaged = true;
        break;
      }
      if (input_done) {  // EAGAIN after the flush should not happen; guard against a loop
        decoder_done = true;
        break;
      }
      // Feed the decoder the next packet of our stream.
      for (;;) {
        err = av_read_frame(format.get(), packet.get());
        if (err < 0) {  // end of file or damage: flush
          if (err != AVERROR_EOF) damaged = true;
          avcodec_send_packet(decoder.get(), nullptr);
          input_done = true;
          break;
        }
        const bool ours = packet->stream_index == stream_index;
        if (ours) err = avcodec_send_packet(decoder.get(), packet.get());
        av_packet_unref(packet.get());
        if (ours) {
          if (err < 0 && err != AVERROR(EAGAIN)) {
            damaged = true;
            avcodec_send_packet(decoder.get(), nullptr);
            input_done = true;
          }
          break;
        }
      }
    }
    return false;
  }
};

VideoReader::VideoReader(const std::filesystem::path& file) : impl_(std::make_unique<Impl>()) { impl_->open(file); }
VideoReader::~VideoReader() = default;
const VideoInfo& VideoReader::info() const { return impl_->info; }
bool VideoReader::read(cv::Mat& rgb) { return impl_->next(rgb); }
bool VideoReader::damaged() const { return impl_->damaged; }

DecodedVideo read_video(const std::filesystem::path& file, int max_frames) {
  VideoReader reader(file);
  DecodedVideo v;
  v.info = reader.info();
  cv::Mat rgb;
  while ((max_frames <= 0 || int(v.frames.size()) < max_frames) && reader.read(rgb)) v.frames.push_back(rgb);
  if (v.frames.empty()) throw input_error(file.string(), "contains no video frames");
  return v;
}

}  // namespace auhead::media
