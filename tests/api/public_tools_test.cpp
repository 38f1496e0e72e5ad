// The public API's tools beside the two stages, without the CLI (include/auhead/ only): the version and
// data folders, the face's landmarks, AUs read from a photo, the AU maps (with progress and
// cancellation that leaves nothing behind), the parity check of a fixtures folder, and bad input as
// auhead::Error.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stop_token>
#include <string>
#include <vector>

#include "auhead/au_estimation.h"
#include "auhead/au.h"
#include "auhead/au_maps.h"
#include "auhead/error.h"
#include "auhead/face.h"
#include "auhead/parity.h"
#include "auhead/version.h"
#include "build_config.h"  // AUHEAD_SOURCE_DIR, AUHEAD_FIXTURES_DIR
#include "test_util.h"

namespace fs = std::filesystem;
using auhead::test::TempDir;

namespace {

fs::path example(const std::string& file) { return fs::path(AUHEAD_SOURCE_DIR) / "examples" / file; }

// A smile rising and falling over `frames` frames.
auhead::AuSequence smile(int frames) {
  auhead::AuSequence seq;
  for (int i = 0; i < frames; ++i) {
    auhead::AuFrame f{};
    const float v = float(std::sin(3.14159 * i / (frames - 1)));
    f[std::size_t(*auhead::find_au("lip_corner_raise_left"))] = v;
    f[std::size_t(*auhead::find_au("lip_corner_raise_right"))] = v;
    seq.frames.push_back(f);
  }
  return seq;
}

}  // namespace

TEST(PublicTools, VersionAndDataFolders) {
  EXPECT_STREQ(auhead::version(), AUHEAD_VERSION);
  EXPECT_TRUE(fs::is_regular_file(auhead::data_dir() / "au_basis.json")) << auhead::data_dir();
  EXPECT_FALSE(auhead::models_dir().empty());
}

TEST(PublicTools, FaceLandmarksOfThePortrait) {
  TempDir dir("public_face");
  auhead::FaceLandmarksOptions o;
  o.image = example("portrait.jpg");
  o.output = dir / "face.json";
  o.overlay = dir / "face.png";
  EXPECT_EQ(auhead::write_face_landmarks(o), 1);
  std::ifstream in(o.output);
  const auto j = nlohmann::json::parse(in);
  ASSERT_TRUE(j.contains("landmarks"));
  EXPECT_EQ(j["landmarks"].size(), 468u);
  EXPECT_TRUE(fs::is_regular_file(o.overlay));
  EXPECT_EQ(dir.entries(), 2u);  // no temporaries left

  o.overlay = dir / "face.xyz";
  EXPECT_EQ(auhead::test::error_code_of([&] { auhead::write_face_landmarks(o); }), auhead::ExitCode::usage);
  o.overlay.clear();
  o.image = dir / "missing.jpg";
  const std::string e = auhead::test::error_of([&] { auhead::write_face_landmarks(o); });
  EXPECT_NE(e.find("missing.jpg"), std::string::npos) << e;
}

TEST(PublicTools, AusOfANeutralPhotoAreSmall) {
  const auhead::AuSequence seq = auhead::read_image_aus(example("portrait.jpg"));
  ASSERT_EQ(seq.frames.size(), 1u);
  for (float v : seq.frames[0]) {
    EXPECT_GE(v, 0.f);
    EXPECT_LE(v, 1.f);
  }
  EXPECT_EQ(auhead::test::error_code_of([] { auhead::read_video_aus(example("speech.wav")); }),
            auhead::ExitCode::bad_input);
}

TEST(PublicTools, AuMapsReportProgressAndCancelCleanly) {
  TempDir dir("public_aumap");
  auhead::AuMapOptions o;
  o.image = example("portrait.jpg");
  o.output_dir = dir / "maps";
  o.size = 64;
  const auhead::AuSequence seq = smile(6);
  std::vector<int64_t> done;
  auhead::RunHooks hooks;
  hooks.progress = [&](const std::string&, int64_t d, int64_t total) {
    EXPECT_EQ(total, 6);
    done.push_back(d);
  };
  auhead::write_au_maps(seq, o, hooks);
  ASSERT_FALSE(done.empty());
  EXPECT_EQ(done.back(), 6);
  EXPECT_TRUE(fs::is_regular_file(o.output_dir / "aumap.json"));
  std::size_t pngs = 0;
  for (const auto& e : fs::directory_iterator(o.output_dir / "landmarks")) pngs += e.path().extension() == ".png";
  EXPECT_EQ(pngs, 6u);

  // A stop requested before the work: Cancelled, and nothing written.
  auhead::AuMapOptions o2 = o;
  o2.output_dir = dir / "cancelled";
  std::stop_source stop;
  stop.request_stop();
  auhead::RunHooks cancel;
  cancel.stop = stop.get_token();
  EXPECT_EQ(auhead::test::error_code_of([&] { auhead::write_au_maps(seq, o2, cancel); }), auhead::ExitCode::cancelled);
  EXPECT_FALSE(fs::exists(o2.output_dir));
  EXPECT_EQ(dir.entries(), 1u) << "temporaries left behind";

  EXPECT_EQ(auhead::test::error_code_of([&] { auhead::write_au_maps(auhead::AuSequence{}, o); }), auhead::ExitCode::usage);
}

TEST(PublicTools, ParityOfAFixturesFolder) {
  const fs::path fixtures = fs::path(AUHEAD_FIXTURES_DIR) / "clip_vision_tiny";
  ASSERT_TRUE(fs::is_directory(fixtures)) << fixtures;
  std::size_t seen = 0;
  const auhead::ParityReport r = auhead::run_parity(fixtures, [&](const auhead::ParityResult&) { ++seen; });
  EXPECT_GT(r.results.size(), 0u);
  EXPECT_EQ(seen, r.results.size());
  EXPECT_TRUE(r.all_pass());
  EXPECT_EQ(auhead::test::error_code_of([] { auhead::run_parity(fs::temp_directory_path() / "no-such-fixtures"); }),
            auhead::ExitCode::bad_input);
}
