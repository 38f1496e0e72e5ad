#include "media/ffmpeg_util.h"

#include <mutex>
#include <new>

extern "C" {
#include <libavutil/error.h>
#include <libavutil/log.h>
}

namespace auhead::media::ff {

void OutputFormatDeleter::operator()(AVFormatContext* p) const {
  if (!p) return;
  if (p->pb && p->oformat && !(p->oformat->flags & AVFMT_NOFILE)) avio_closep(&p->pb);
  avformat_free_context(p);
}

Frame make_frame() {
  Frame f(av_frame_alloc());
  if (!f) throw std::bad_alloc();
  return f;
}

Packet make_packet() {
  Packet p(av_packet_alloc());
  if (!p) throw std::bad_alloc();
  return p;
}

CodecContext make_codec_context(const AVCodec* codec) {
  CodecContext c(avcodec_alloc_context3(codec));
  if (!c) throw std::bad_alloc();
  return c;
}

std::string error_text(int err) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {0};
  if (av_strerror(err, buf, sizeof buf) < 0) return "FFmpeg error " + std::to_string(err);
  return buf;
}

void quiet_logs() {
  static std::once_flag once;
  std::call_once(once, [] { av_log_set_level(AV_LOG_FATAL); });
}

std::string file_url(const std::string& path) { return "file:" + path; }

}  // namespace auhead::media::ff
