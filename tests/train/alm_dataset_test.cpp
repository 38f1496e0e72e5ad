// `auhead dataset` (issue #18, item 1): emotion labels from MEAD paths and CREMA-D names, manifests,
// and end to end: talking videos -> chat JSONL with segmented audio and 5-fps AU answers, bad clips
// skipped and listed, a rerun that resumes, and `train alm` on the result.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "audio2au/alm/au_answer.h"
#include "audio2au/alm/random_qwen2_audio.h"
#include "auhead/dataset.h"
#include "auhead/error.h"
#include "checkpoint/safetensors.h"
#include "cli/cli_test_util.h"
#include "core/atomic_file.h"
#include "media/audio_decoder.h"
#include "media/media_test_util.h"
#include "test_util.h"
#include "train/alm_chat_dataset.h"

namespace fs = std::filesystem;
using namespace auhead;
using namespace auhead::train;

TEST(DatasetLabels, MeadPathsAndCremaDNames) {
  auto mead = emotion_from_mead_path("data/M003/video/front/angry/level_2/001.mp4");
  ASSERT_TRUE(mead);
  EXPECT_EQ(mead->label, Emotion::angry);
  EXPECT_NEAR(mead->intensity, 2.0 / 3, 1e-6);
  EXPECT_EQ(emotion_from_mead_path("W011/video/left_30/surprised/level_3/010.mp4")->label, Emotion::surprised);
  EXPECT_FALSE(emotion_from_mead_path("M003/video/front/angry/level_4/001.mp4"));
  EXPECT_FALSE(emotion_from_mead_path("clips/happy.mp4"));

  auto crema = emotion_from_crema_d_name("VideoFlash/1001_DFA_ANG_XX.flv");
  ASSERT_TRUE(crema);
  EXPECT_EQ(crema->label, Emotion::angry);
  EXPECT_NEAR(crema->intensity, 2.0 / 3, 1e-6);
  EXPECT_EQ(emotion_from_crema_d_name("1091_IEO_FEA_HI.mp4")->label, Emotion::fear);
  EXPECT_NEAR(emotion_from_crema_d_name("1091_IEO_NEU_LO.mp4")->intensity, 1.0 / 3, 1e-6);
  EXPECT_FALSE(emotion_from_crema_d_name("1001_DFA_XYZ_XX.flv"));
  EXPECT_FALSE(emotion_from_crema_d_name("speech.mp4"));
  EXPECT_EQ(test::error_code_of([] { parse_emotion_source("openface"); }), ExitCode::usage);
}

TEST(DatasetManifest, CsvAndJsonWithLineNumbersInErrors) {
  test::TempDir dir("dataset_manifest");
  std::ofstream(dir.path() / "m.csv") << "video,emotion,intensity\nclips/a.mp4,happy,0.5\nclips/b.mp4,,\n/abs/c.mp4,Sad,\n";
  auto clips = read_dataset_manifest(dir.path() / "m.csv");
  ASSERT_EQ(clips.size(), 3u);
  EXPECT_EQ(clips[0].video, dir.path() / "clips/a.mp4");
  EXPECT_EQ(clips[0].id, "clips__a");
  EXPECT_EQ(clips[0].emotion->label, Emotion::happy);
  EXPECT_FLOAT_EQ(clips[0].emotion->intensity, 0.5f);
  EXPECT_FALSE(clips[1].emotion);
  EXPECT_EQ(clips[2].video, fs::path("/abs/c.mp4"));
  EXPECT_NEAR(clips[2].emotion->intensity, 0.7, 1e-6);

  std::ofstream(dir.path() / "m.json") << R"([{"video": "x.mp4", "emotion": "fear", "intensity": 1}, {"video": "y/x.mp4"}])";
  clips = read_dataset_manifest(dir.path() / "m.json");
  ASSERT_EQ(clips.size(), 2u);
  EXPECT_EQ(clips[0].emotion->label, Emotion::fear);
  EXPECT_EQ(clips[1].id, "y__x");

  const std::vector<std::pair<std::string, std::string>> bad = {
      {"file,emotion\na.mp4,happy\n", "line 1"},
      {"video,emotion\na.mp4,glum\n", "line 2"},
      {"video,emotion,intensity\na.mp4,happy,2\n", "line 2"},
      {"video,emotion\na.mp4\n", "line 2"},
      {"video\n", "lists no videos"},
  };
  for (const auto& [text, want] : bad) {
    std::ofstream(dir.path() / "bad.csv") << text;
    const std::string message = test::error_of([&] { read_dataset_manifest(dir.path() / "bad.csv"); });
    EXPECT_NE(message.find("bad.csv"), std::string::npos) << message;
    EXPECT_NE(message.find(want), std::string::npos) << message;
  }
  std::ofstream(dir.path() / "bad.json") << R"([{"video": 3}])";
  EXPECT_NE(test::error_of([&] { read_dataset_manifest(dir.path() / "bad.json"); }).find("item 1"), std::string::npos);
  EXPECT_EQ(test::error_code_of([&] { list_video_folder(dir.path() / "none"); }), ExitCode::bad_input);
  EXPECT_EQ(test::error_code_of([&] { list_video_folder(dir.path()); }), ExitCode::bad_input);  // no videos
}

TEST(DatasetCli, VideosToChatJsonlThatTrainAlmReads) {
  if (!fs::exists(test::example("astronaut.png"))) GTEST_SKIP() << "example inputs missing";
  test::TempDir dir("dataset_cli");
  const fs::path videos = dir.path() / "videos";
  const fs::path mead = videos / "M003/video/front/happy/level_2/001.mp4";
  fs::create_directories(mead.parent_path());
  auto r = test::run_cli("-q generate --audio " + test::example("speech.wav") + " --image " + test::example("astronaut.png") +
                         " --emotion happy --size 256 -o " + mead.string());
  ASSERT_EQ(r.code, 0) << r.output;
  fs::copy_file(mead, videos / "1001_DFA_SAD_HI.mp4");
  fs::copy_file(mead, videos / "unlabelled.mp4");
  media::test::EncodeSpec spec;
  spec.video = true;
  spec.video_seconds = 2.0;
  media::test::encode_test_media(videos / "1002_IEO_ANG_LO.mp4", media::test::test_signal(16000, 1, 2.0), spec);  // no face

  const fs::path out = dir.path() / "set";
  r = test::run_cli("dataset --videos " + videos.string() + " -o " + out.string() + " --max-seconds 3 --stage2-size 64");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("Stage 2: 356 frames"), std::string::npos) << r.output;  // 178 frames, two labelled clips
  EXPECT_NE(r.output.find("6 samples"), std::string::npos) << r.output;  // 7.1 s: 3 + 3 + 1.1 s, twice
  EXPECT_NE(r.output.find("2 skipped"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("unlabelled.mp4: no emotion label"), std::string::npos) << r.output;
  std::ifstream skipped(out / "skipped.tsv");
  int skipped_lines = 0;
  for (std::string l; std::getline(skipped, l);) ++skipped_lines;
  EXPECT_EQ(skipped_lines, 3);  // header + 2

  const auto samples = read_alm_chat_jsonl(out / "train.jsonl");
  ASSERT_EQ(samples.size(), 6u);
  for (const auto& s : samples) {
    const media::Audio audio = media::decode_audio(s.audio);
    const audio2au::alm::AuAnswer a = audio2au::alm::parse_au_answer(s.answer, s.audio.string());
    EXPECT_EQ(int(a.frames.size()), int(std::ceil(double(audio.samples.size()) / audio2au::alm::kAnswerFrameSamples))) << s.audio;
    ASSERT_TRUE(a.emotion);
    EXPECT_LE(audio.samples.size(), 3u * 16000u);
  }
  EXPECT_EQ(audio2au::alm::parse_au_answer(samples[0].answer, "").emotion->label, Emotion::sad);  // CREMA-D name, sorted first
  EXPECT_EQ(audio2au::alm::parse_au_answer(samples[3].answer, "").emotion->label, Emotion::happy);  // MEAD path
  // The jaw moves while the astronaut speaks: some frame of the answers opens it.
  float jaw = 0;
  for (const auto& s : samples)
    for (const auto& f : audio2au::alm::parse_au_answer(s.answer, "").frames) jaw = std::max(jaw, f[*find_au("jaw_drop")]);
  EXPECT_GE(jaw, 0.2f);  // answers hold tenths; a closed mouth reads 0
  EXPECT_TRUE(fs::exists(out / "au" / "M003__video__front__happy__level_2__001.json"));

  // Stage 2 data: per frame the face crop, its landmark image, the AU maps and the AUs, in shards of
  // 64 frames listed by the clip's index.
  const nlohmann::json index = nlohmann::json::parse(read_text_file(out / "stage2" / "1001_DFA_SAD_HI.json"));
  EXPECT_EQ(index.at("frames").get<int>(), 178);
  ASSERT_EQ(index.at("shards").size(), 3u);
  const TensorMap shard = load_safetensors(out / "stage2" / index.at("shards")[0].get<std::string>(), true);
  EXPECT_EQ(shard.at("frames").sizes(), (std::vector<int64_t>{64, 64, 64, 3}));
  EXPECT_EQ(shard.at("landmarks").sizes(), (std::vector<int64_t>{64, 64, 64, 3}));
  EXPECT_EQ(shard.at("au_maps").sizes(), (std::vector<int64_t>{64, 16, 16, 8}));
  EXPECT_EQ(shard.at("aus").sizes(), (std::vector<int64_t>{64, 30}));
  EXPECT_EQ(shard.at("points").sizes(), (std::vector<int64_t>{64, 468, 3}));
  EXPECT_EQ(shard.at("frames").scalar_type(), torch::kUInt8);
  // The face fills the crop: its landmarks lie inside it, and the landmark image is drawn there.
  const torch::Tensor pts = shard.at("points").select(2, 0);
  EXPECT_GT(pts.min().item<float>(), 0.f);
  EXPECT_LT(pts.max().item<float>(), 64.f);
  EXPECT_GT(shard.at("landmarks").to(torch::kFloat32).mean().item<float>(), 3.f);
  EXPECT_GT(shard.at("frames").to(torch::kFloat32).std().item<float>(), 20.f);

  // A second run takes the finished clips from the first.
  r = test::run_cli("dataset --videos " + videos.string() + " -o " + out.string() + " --max-seconds 3");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("2 done by an earlier run"), std::string::npos) << r.output;
  EXPECT_EQ(read_alm_chat_jsonl(out / "train.jsonl").size(), 6u);

  // The set trains.
  audio2au::alm::write_random_qwen2_audio(dir.path() / "model", audio2au::alm::qwen2_audio_config_json(32, 1, 32, 2, 2, 1, 64, false), 3);
  r = test::run_cli("-q train alm --model " + (dir.path() / "model").string() + " --data " + (out / "train.jsonl").string() +
                    " -o " + (dir.path() / "tuned").string() + " --max-steps 1 --lora-r 2");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_TRUE(fs::exists(dir.path() / "tuned" / "adapter_model.safetensors"));

  // Nothing usable: an error naming the output, and no train.jsonl.
  r = test::run_cli("dataset --manifest " + (dir.path() / "m.csv").string() + " -o " + (dir.path() / "empty").string());
  EXPECT_EQ(r.code, 3) << r.output;
  std::ofstream(dir.path() / "m.csv") << "video\nvideos/unlabelled.mp4\n";
  r = test::run_cli("dataset --manifest " + (dir.path() / "m.csv").string() + " -o " + (dir.path() / "empty").string());
  EXPECT_EQ(r.code, 3) << r.output;
  EXPECT_NE(r.output.find("no clip gave a training sample"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir.path() / "empty" / "train.jsonl"));
  r = test::run_cli("dataset -o " + (dir.path() / "x").string());
  EXPECT_EQ(r.code, 2) << r.output;
  r = test::run_cli("dataset --videos " + videos.string() + " -o " + (dir.path() / "y").string() + " --stage2-size 66");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("multiple of 4"), std::string::npos) << r.output;
}
