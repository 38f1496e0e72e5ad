#include <gtest/gtest.h>

#include <cmath>
#include <opencv2/imgproc.hpp>

#include "auhead/error.h"
#include "media/audio_decoder.h"
#include "media/ffmpeg_util.h"
#include "media/media_expect.h"
#include "media/media_test_util.h"
#include "media/video_writer.h"

namespace fs = std::filesystem;
using namespace auhead;
using namespace auhead::media;
using namespace auhead::media::test;

namespace {

// A frame with a white rectangle that moves right by 2 pixels per frame on dark blue.
cv::Mat moving_rectangle(int width, int height, int index) {
  cv::Mat rgb(height, width, CV_8UC3, cv::Scalar(20, 30, 90));
  cv::rectangle(rgb, cv::Rect(4 + 2 * index, height / 3, width / 5, height / 3), cv::Scalar(255, 255, 255), cv::FILLED);
  return rgb;
}

struct StreamFacts {
  AVCodecID codec = AV_CODEC_ID_NONE;
  int format = -1;  // pixel or sample format
  int width = 0, height = 0, sample_rate = 0, channels = 0;
  AVRational frame_rate{0, 1};
  double duration = 0;  // seconds, from the packets
  int packets = 0;
  int decoded_frames = 0;
  double first_frame_rect_luma = 0, first_frame_background_luma = 0;
};

// Reopens a written file with libavformat and summarises each stream by reading all its packets
// (and decoding the video, to count frames and look at the first one).
std::vector<StreamFacts> inspect(const fs::path& file) {
  AVFormatContext* raw = nullptr;
  if (avformat_open_input(&raw, file.c_str(), nullptr, nullptr) < 0) throw std::runtime_error("cannot open");
  ff::InputFormat in(raw);
  if (avformat_find_stream_info(in.get(), nullptr) < 0) throw std::runtime_error("no stream info");
  std::vector<StreamFacts> facts(in->nb_streams);
  std::vector<int64_t> end(in->nb_streams, 0), start(in->nb_streams, INT64_MAX);
  ff::CodecContext video;
  int video_index = -1;
  for (unsigned i = 0; i < in->nb_streams; ++i) {
    const AVCodecParameters* p = in->streams[i]->codecpar;
    facts[i].codec = p->codec_id;
    facts[i].format = p->format;
    facts[i].width = p->width;
    facts[i].height = p->height;
    facts[i].sample_rate = p->sample_rate;
    facts[i].channels = p->ch_layout.nb_channels;
    facts[i].frame_rate = in->streams[i]->avg_frame_rate;
    if (p->codec_type == AVMEDIA_TYPE_VIDEO) {
      const AVCodec* dec = avcodec_find_decoder(p->codec_id);
      video = ff::make_codec_context(dec);
      avcodec_parameters_to_context(video.get(), p);
      if (avcodec_open2(video.get(), dec, nullptr) < 0) throw std::runtime_error("no decoder");
      video_index = static_cast<int>(i);
    }
  }
  ff::Packet pkt = ff::make_packet();
  ff::Frame frame = ff::make_frame();
  auto receive = [&] {
    while (avcodec_receive_frame(video.get(), frame.get()) == 0) {
      StreamFacts& f = facts[video_index];
      if (f.decoded_frames++ == 0) {
        // Luma inside the rectangle of frame 0 and in the background.
        const int y = f.height / 2;
        f.first_frame_rect_luma = frame->data[0][y * frame->linesize[0] + 4 + f.width / 10];
        f.first_frame_background_luma = frame->data[0][y * frame->linesize[0] + f.width - 4];
      }
      av_frame_unref(frame.get());
    }
  };
  while (av_read_frame(in.get(), pkt.get()) >= 0) {
    const int s = pkt->stream_index;
    facts[s].packets++;
    start[s] = std::min(start[s], pkt->pts);
    end[s] = std::max(end[s], pkt->pts + pkt->duration);
    if (s == video_index) {
      avcodec_send_packet(video.get(), pkt.get());
      receive();
    }
    av_packet_unref(pkt.get());
  }
  if (video) {
    avcodec_send_packet(video.get(), nullptr);
    receive();
  }
  for (unsigned i = 0; i < in->nb_streams; ++i) {
    const AVStream* st = in->streams[i];
    // The container's own duration when given (mp4 edit lists exclude AAC priming), else the packets'.
    facts[i].duration = st->duration > 0 ? st->duration * av_q2d(st->time_base)
                                         : (end[i] - std::max<int64_t>(0, start[i])) * av_q2d(st->time_base);
  }
  return facts;
}

}  // namespace

TEST(MediaVideoWriter, Mp3InMp4OutRoundTrip) {
  TempDir dir("video_roundtrip");
  const fs::path mp3 = dir / "speech.mp3";
  encode_test_media(mp3, test_signal(44100, 2, 2.5), {44100, 2});  // longer than the video: trimmed
  const fs::path out = dir / "talk.mp4";
  {
    VideoWriter writer(out, 160, 120, {25, 1}, mp3);
    for (int i = 0; i < 50; ++i) writer.write(moving_rectangle(160, 120, i));
    EXPECT_FALSE(fs::exists(out));  // nothing at the target before finish()
    writer.finish();
    EXPECT_EQ(writer.frames_written(), 50);
  }
  EXPECT_EQ(dir.entries(), 2u);  // the mp3 and the mp4, no temporary

  const std::vector<StreamFacts> s = inspect(out);
  ASSERT_EQ(s.size(), 2u);
  const StreamFacts& v = s[0].codec == AV_CODEC_ID_H264 ? s[0] : s[1];
  const StreamFacts& a = s[0].codec == AV_CODEC_ID_H264 ? s[1] : s[0];
  EXPECT_EQ(v.codec, AV_CODEC_ID_H264);
  EXPECT_EQ(v.format, AV_PIX_FMT_YUV420P);
  EXPECT_EQ(v.width, 160);
  EXPECT_EQ(v.height, 120);
  EXPECT_EQ(v.frame_rate.num * 1, 25 * v.frame_rate.den);
  EXPECT_EQ(v.packets, 50);
  EXPECT_EQ(v.decoded_frames, 50);
  EXPECT_GT(v.first_frame_rect_luma, 200);
  EXPECT_LT(v.first_frame_background_luma, 80);
  EXPECT_EQ(a.codec, AV_CODEC_ID_AAC);
  EXPECT_EQ(a.sample_rate, 44100);
  EXPECT_EQ(a.channels, 2);
  EXPECT_NEAR(v.duration, 2.0, 1e-6);
  EXPECT_NEAR(a.duration, v.duration, 1.0 / 25);

  // The muxed audio is the source's first two seconds.
  const Audio back = decode_audio(out);
  EXPECT_NEAR(back.duration_seconds(), 2.0, 1.0 / 25);
  std::vector<float> want = expected_mono(16000, 2, 2.5);
  want.resize(32000);
  int lag = 0;
  EXPECT_GT(best_correlation(want, back.samples, 160, &lag), 0.9);
  EXPECT_LE(std::abs(lag), 16);
}

TEST(MediaVideoWriter, ShortAudioIsPaddedAndFractionalFps) {
  TempDir dir("video_pad");
  const fs::path wav = dir / "short.wav";
  encode_test_media(wav, test_signal(22050, 1, 0.5), {22050, 1});
  const fs::path out = dir / "clip.mp4";
  VideoWriter writer(out, 64, 64, {30000, 1001}, wav, {.crf = 23, .preset = "ultrafast", .threads = 1});
  for (int i = 0; i < 30; ++i) writer.write(moving_rectangle(64, 64, i));
  writer.finish();
  const std::vector<StreamFacts> s = inspect(out);
  ASSERT_EQ(s.size(), 2u);
  const StreamFacts& v = s[0].codec == AV_CODEC_ID_H264 ? s[0] : s[1];
  const StreamFacts& a = s[0].codec == AV_CODEC_ID_H264 ? s[1] : s[0];
  EXPECT_EQ(int64_t{v.frame_rate.num} * 1001, int64_t{v.frame_rate.den} * 30000);
  EXPECT_EQ(v.decoded_frames, 30);
  EXPECT_EQ(a.sample_rate, 22050);
  EXPECT_EQ(a.channels, 1);
  EXPECT_NEAR(v.duration, 30 * 1001 / 30000.0, 1e-6);
  EXPECT_NEAR(a.duration, v.duration, 1001 / 30000.0);
  const Audio back = decode_audio(out, 0, 0);
  EXPECT_NEAR(back.duration_seconds(), v.duration, 1001 / 30000.0);
}

TEST(MediaVideoWriter, VideoOnly) {
  TempDir dir("video_only");
  const fs::path out = dir / "silent.mp4";
  VideoWriter writer(out, 32, 16, {10, 1});
  for (int i = 0; i < 5; ++i) writer.write(moving_rectangle(32, 16, i));
  writer.finish();
  const std::vector<StreamFacts> s = inspect(out);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].decoded_frames, 5);
  EXPECT_NEAR(s[0].duration, 0.5, 1e-6);
}

TEST(MediaVideoWriter, NoFinishLeavesNothing) {
  TempDir dir("video_nofinish");
  {
    VideoWriter writer(dir / "out.mp4", 32, 32, {25, 1});
    writer.write(moving_rectangle(32, 32, 0));
  }
  EXPECT_EQ(dir.entries(), 0u);
  {
    VideoWriter writer(dir / "out.mp4", 32, 32, {25, 1});
    expect_error([&] { writer.finish(); }, ExitCode::output, dir / "out.mp4", "no video frames");
  }
  EXPECT_EQ(dir.entries(), 0u);
}

TEST(MediaVideoWriter, BadArgumentsAndOutputs) {
  TempDir dir("video_bad");
  const fs::path out = dir / "out.mp4";
  EXPECT_THROW(VideoWriter(out, 33, 32, {25, 1}), Error);
  try {
    VideoWriter(out, 33, 32, {25, 1});
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::usage);
    EXPECT_NE(std::string(e.what()).find("even"), std::string::npos);
  }
  EXPECT_THROW(VideoWriter(out, 32, 32, {0, 1}), Error);
  expect_error([&] { VideoWriter(dir / "no-folder" / "x.mp4", 32, 32, {25, 1}); }, ExitCode::output,
               dir / "no-folder" / "x.mp4");
  expect_error([&] { VideoWriter("/proc/auhead-x.mp4", 32, 32, {25, 1}); }, ExitCode::output, "/proc/auhead-x.mp4");
  EXPECT_FALSE(fs::exists("/proc/auhead-x.mp4"));
  expect_error([&] { VideoWriter(out, 32, 32, {25, 1}, dir / "missing.wav"); }, ExitCode::bad_input,
               dir / "missing.wav", "no such file");
  write_bytes(dir / "noise.wav", std::string(5000, '\x7f'));
  expect_error([&] { VideoWriter(out, 32, 32, {25, 1}, dir / "noise.wav"); }, ExitCode::bad_input, dir / "noise.wav");
  fs::remove(dir / "noise.wav");
  EXPECT_EQ(dir.entries(), 0u);

  VideoWriter writer(out, 32, 32, {25, 1});
  EXPECT_THROW(writer.write(cv::Mat(32, 30, CV_8UC3)), Error);
  EXPECT_THROW(writer.write(cv::Mat(32, 32, CV_8UC1)), Error);
}
