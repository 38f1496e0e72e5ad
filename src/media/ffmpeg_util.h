// Owners for FFmpeg objects (unique_ptr with custom deleters) and FFmpeg error text, so that every
// libav* object of the media module is freed on every path, error paths included. Internal header.
#pragma once

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>
}

#include <memory>
#include <string>

namespace auhead::media::ff {

struct InputFormatDeleter {
  void operator()(AVFormatContext* p) const { avformat_close_input(&p); }
};
struct OutputFormatDeleter {
  void operator()(AVFormatContext* p) const;  // closes the file (if open) and frees the context
};
struct CodecContextDeleter {
  void operator()(AVCodecContext* p) const { avcodec_free_context(&p); }
};
struct FrameDeleter {
  void operator()(AVFrame* p) const { av_frame_free(&p); }
};
struct PacketDeleter {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};
struct SwrDeleter {
  void operator()(SwrContext* p) const { swr_free(&p); }
};
struct SwsDeleter {
  void operator()(SwsContext* p) const { sws_freeContext(p); }
};
struct ChannelLayoutDeleter {
  void operator()(AVChannelLayout* p) const {
    av_channel_layout_uninit(p);
    delete p;
  }
};

using InputFormat = std::unique_ptr<AVFormatContext, InputFormatDeleter>;
using OutputFormat = std::unique_ptr<AVFormatContext, OutputFormatDeleter>;
using CodecContext = std::unique_ptr<AVCodecContext, CodecContextDeleter>;
using Frame = std::unique_ptr<AVFrame, FrameDeleter>;
using Packet = std::unique_ptr<AVPacket, PacketDeleter>;
using Swr = std::unique_ptr<SwrContext, SwrDeleter>;
using Sws = std::unique_ptr<SwsContext, SwsDeleter>;

// Allocators that throw std::bad_alloc instead of returning null.
Frame make_frame();
Packet make_packet();
CodecContext make_codec_context(const AVCodec* codec);

// The text of an FFmpeg error code (av_strerror), e.g. "Invalid data found when processing input".
std::string error_text(int err);

// Lowers FFmpeg's log level once per process so that libav* does not write to stderr; the media
// module reports problems through auhead::Error instead.
void quiet_logs();

// "file:<path>", so that a path is never taken for another protocol (pipe:, http:, concat:, ...).
std::string file_url(const std::string& path);

}  // namespace auhead::media::ff
