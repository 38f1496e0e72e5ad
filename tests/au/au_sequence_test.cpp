#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "auhead/au_sequence.h"
#include "auhead/error.h"
#include "test_util.h"

namespace fs = std::filesystem;
using namespace auhead;
using auhead::test::error_of;

namespace {
AuSequence random_sequence(size_t n, unsigned seed, AuSet set = AuSet::auhead30) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(0.f, 1.f);
  AuSequence seq;
  seq.fps = 25;
  seq.au_set = set;
  seq.emotion = EmotionState{Emotion::happy, 0.7f};
  seq.frames.resize(n);
  for (auto& f : seq.frames)
    for (int a = 0; a < au_set_width(set); ++a) f[a] = (rng() % 4 == 0) ? 0.f : u(rng);
  return seq;
}

}  // namespace

TEST(AuSet, TableIsConsistent) {
  const auto& table = au_table();
  for (int i = 0; i < kNumAus; ++i) {
    EXPECT_EQ(table[i].index, i);
    EXPECT_EQ(find_au(table[i].name), i);
    if (table[i].mirror >= 0) {
      EXPECT_EQ(table[table[i].mirror].mirror, i);
    }
  }
  EXPECT_EQ(find_au("JAW_DROP"), 8);
  EXPECT_EQ(find_au("29"), 29);
  EXPECT_FALSE(find_au("30"));
  EXPECT_FALSE(find_au("smile"));
  // Spatial order of docs/design.md §5.
  std::array<int, kNumAus> expect{0, 1, 2, 3, 25, 4, 5, 6, 7, 23, 24, 8, 9, 10, 11,
                                  12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 26, 27, 28, 29};
  EXPECT_EQ(au_spatial_order(), expect);
}

TEST(AuSet, Emotions) {
  EXPECT_EQ(parse_emotion("Happy"), Emotion::happy);
  EXPECT_EQ(emotion_name(Emotion::surprised), "surprised");
  std::string msg = error_of([] { parse_emotion_or_throw("joyful"); });
  EXPECT_NE(msg.find("joyful"), std::string::npos);
  EXPECT_NE(msg.find("angry, contempt, disgusted, fear, happy, neutral, sad, surprised"), std::string::npos);
}

TEST(AuSequenceJson, RoundTripIsExact) {
  for (unsigned seed = 0; seed < 20; ++seed) {
    AuSequence seq = random_sequence(200, seed);
    AuSequence back = au_from_json(au_to_json(seq));
    ASSERT_EQ(back, seq) << "seed " << seed;
  }
  AuSequence plain = random_sequence(5, 1);
  plain.emotion.reset();
  plain.fps = 29.97;
  EXPECT_EQ(au_from_json(au_to_json(plain)), plain);
}

TEST(AuSequenceJson, Feafa24ReadsAsFirst24Channels) {
  std::string row = "0.5";
  for (int i = 1; i < 24; ++i) row += ",0";
  AuSequence seq = au_from_json(R"({"au_set":"feafa24","fps":5,"frames":[[)" + row + "]]}");
  ASSERT_EQ(seq.frames.size(), 1u);
  EXPECT_EQ(seq.au_set, AuSet::feafa24);
  EXPECT_FLOAT_EQ(seq.frames[0][0], 0.5f);
  for (int a = 24; a < kNumAus; ++a) EXPECT_EQ(seq.frames[0][a], 0.f);
  // Width 24 without au_set is FEAFA too, and a feafa24 file writes 24 numbers per frame.
  AuSequence f24 = random_sequence(3, 2, AuSet::feafa24);
  std::string text = au_to_json(f24);
  EXPECT_NE(text.find("\"feafa24\""), std::string::npos);
  EXPECT_EQ(au_from_json(text), f24);
}

TEST(AuSequenceJson, ValidationNamesTheFrame) {
  auto frame = [](const std::string& v) {
    std::string row = "[" + v;
    for (int i = 1; i < 30; ++i) row += ",0";
    return row + "]";
  };
  std::string good = frame("0.1");
  EXPECT_NE(error_of([&] { au_from_json(R"({"fps":25,"frames":[)" + good + "," + frame("1.5") + "]}", "a.json"); })
                .find("a.json: frame 1, AU 0 (eye_closure_left): value 1.5 is outside [0, 1]"),
            std::string::npos);
  EXPECT_NE(error_of([&] { au_from_json(R"({"fps":25,"frames":[)" + good + ",[0,1]]}", "a.json"); })
                .find("frame 1: expected 30 values (auhead30), got 2"),
            std::string::npos);
  EXPECT_NE(error_of([&] { au_from_json(R"({"fps":25,"frames":[)" + good + ",[0,1,", "a.json"); }).find("not valid JSON"),
            std::string::npos);
  EXPECT_NE(error_of([&] { au_from_json(R"({"fps":0,"frames":[)" + good + "]}", "a.json"); }).find("fps"),
            std::string::npos);
  EXPECT_NE(error_of([&] { au_from_json(R"({"fps":25,"frames":[]})", "a.json"); }).find("no frames"), std::string::npos);
  EXPECT_NE(error_of([&] { au_from_json(R"({"fps":25,"emotion":{"label":"joy"},"frames":[)" + good + "]}", "a.json"); })
                .find("unknown emotion 'joy'"),
            std::string::npos);
  EXPECT_NE(error_of([&] { au_from_json(R"({"fps":25,"frames":[)" + frame("\"x\"") + "]}", "a.json"); })
                .find("frame 0, AU 0: not a number"),
            std::string::npos);
  // JSON has no NaN token; the validator still rejects NaN built in code.
  AuSequence seq = random_sequence(3, 3);
  seq.frames[2][5] = std::nanf("");
  EXPECT_NE(error_of([&] { seq.validate("mem"); }).find("mem: frame 2, AU 5 (brow_lower_right): value is NaN"),
            std::string::npos);
}

TEST(AuSequenceCsv, RoundTripIsExact) {
  for (unsigned seed = 0; seed < 10; ++seed) {
    AuSequence seq = random_sequence(100, seed + 100);
    ASSERT_EQ(au_from_csv(au_to_csv(seq)), seq);
  }
  AuSequence f24 = random_sequence(7, 5, AuSet::feafa24);
  f24.emotion.reset();
  f24.fps = 30000.0 / 1001.0;
  EXPECT_EQ(au_from_csv(au_to_csv(f24)), f24);
}

TEST(AuSequenceCsv, WithoutMetadataLineRateComesFromTimestamps) {
  std::string csv = "frame,timestamp,jaw_drop,eye_closure_left\n0,0.0,0.5,0\n1,0.04,0.25,1\n2,0.08,0,0.5\n";
  AuSequence seq = au_from_csv(csv, "x.csv");
  EXPECT_DOUBLE_EQ(seq.fps, 25.0);
  EXPECT_EQ(seq.au_set, AuSet::feafa24);
  ASSERT_EQ(seq.frames.size(), 3u);
  EXPECT_EQ(seq.frames[0][8], 0.5f);
  EXPECT_EQ(seq.frames[1][0], 1.f);
  EXPECT_FALSE(seq.emotion);
}

TEST(AuSequenceCsv, ValidationNamesTheLine) {
  const std::string head = "frame,timestamp,jaw_drop\n";
  EXPECT_NE(error_of([&] { au_from_csv(head + "0,0,0.1\n1,0.04,nan\n", "b.csv"); }).find("b.csv: line 3: jaw_drop is NaN"),
            std::string::npos);
  EXPECT_NE(error_of([&] { au_from_csv(head + "0,0,0.1\n1,0.04,-0.2\n", "b.csv"); })
                .find("b.csv: line 3: jaw_drop value -0.2 is outside [0, 1]"),
            std::string::npos);
  EXPECT_NE(error_of([&] { au_from_csv(head + "0,0.04,0.1\n1,0.04,0.2\n", "b.csv"); })
                .find("b.csv: line 3: timestamp 0.04 is not after the previous one"),
            std::string::npos);
  EXPECT_NE(error_of([&] { au_from_csv(head + "0,0,0.1\n1,0.04\n", "b.csv"); }).find("line 3: expected 3 fields, got 2"),
            std::string::npos);
  EXPECT_NE(error_of([&] { au_from_csv("frame,timestamp,smile\n0,0,1\n", "b.csv"); })
                .find("line 1: column 3 'smile' is not an AU name"),
            std::string::npos);
  EXPECT_NE(error_of([&] { au_from_csv(head + "0,0,0.1\n2,0.04,0.2\n", "b.csv"); }).find("line 3: frame 2 out of sequence"),
            std::string::npos);
  EXPECT_NE(error_of([&] { au_from_csv("# auhead fps=25\n" + head + "0,0,0.1\n1,0.5,0.2\n", "b.csv"); })
                .find("does not match 25 fps"),
            std::string::npos);
  EXPECT_NE(error_of([&] { au_from_csv(head, "b.csv"); }).find("no frames"), std::string::npos);
}

TEST(AuSequenceOpenFace, MapsAusByFacsCode) {
  std::string csv =
      "frame, face_id, timestamp, confidence, success, AU01_r, AU02_r, AU04_r, AU06_r, AU12_r, AU15_r, AU25_r, AU26_r, "
      "AU45_r, AU01_c\n"
      "1, 0, 0.000, 0.98, 1, 1.0, 2.5, 0.0, 3.0, 5.0, 0.5, 6.0, 2.0, 0.0, 1\n"
      "1, 1, 0.000, 0.90, 1, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 1\n"
      "2, 0, 0.033, 0.10, 0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0\n"
      "3, 0, 0.067, 0.97, 1, 0.0, 0.0, 4.0, 0.0, 0.0, 0.0, 0.0, 0.0, 5.0, 0\n";
  AuSequence seq = au_from_openface_csv(csv, "of.csv");
  ASSERT_EQ(seq.frames.size(), 3u);  // face 0 only
  EXPECT_DOUBLE_EQ(seq.fps, 30.0);
  const auto& f0 = seq.frames[0];
  EXPECT_FLOAT_EQ(f0[6], 0.5f);  // brow raise = max(AU01, AU02) / 5, both sides
  EXPECT_FLOAT_EQ(f0[7], 0.5f);
  EXPECT_FLOAT_EQ(f0[24], 0.6f);  // AU06 cheek raise
  EXPECT_FLOAT_EQ(f0[11], 1.0f);  // AU12 both lip corners
  EXPECT_FLOAT_EQ(f0[12], 1.0f);
  EXPECT_FLOAT_EQ(f0[27], 0.1f);  // AU15
  EXPECT_FLOAT_EQ(f0[29], 1.0f);  // AU25 clamped from 6/5
  EXPECT_FLOAT_EQ(f0[8], 0.4f);   // AU26 jaw drop
  EXPECT_EQ(seq.frames[1], f0);   // failed frame holds the last good one
  EXPECT_FLOAT_EQ(seq.frames[2][4], 0.8f);
  EXPECT_FLOAT_EQ(seq.frames[2][0], 1.0f);
  EXPECT_FLOAT_EQ(seq.frames[2][1], 1.0f);
  EXPECT_NE(error_of([] { au_from_openface_csv("frame,AU01_r\n1,2\n", "x.csv"); }).find("no 'timestamp' column"),
            std::string::npos);
}

TEST(AuSequenceFile, ReadWriteByExtension) {
  fs::path dir = fs::temp_directory_path() / "auhead_au_file_test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  AuSequence seq = random_sequence(20, 9);
  write_au_file(dir / "a.json", seq);
  write_au_file(dir / "a.csv", seq);
  EXPECT_EQ(read_au_file(dir / "a.json"), seq);
  EXPECT_EQ(read_au_file(dir / "a.csv"), seq);
  std::ofstream(dir / "empty.json").close();
  EXPECT_NE(error_of([&] { read_au_file(dir / "empty.json"); }).find("empty.json: file is empty"), std::string::npos);
  EXPECT_NE(error_of([&] { read_au_file(dir / "missing.json"); }).find("missing.json: no such file"), std::string::npos);
  EXPECT_NE(error_of([&] { read_au_file(dir / "a.txt"); }).find("unknown AU file type"), std::string::npos);
  fs::remove_all(dir);
}

TEST(AuResample, KeepsDurationAndRange) {
  AuSequence seq;
  seq.fps = 5;
  seq.frames.resize(10);
  for (size_t i = 0; i < 10; ++i) seq.frames[i][8] = (i % 2) ? 1.f : 0.f;  // worst case for overshoot
  AuSequence up = resample(seq, 25);
  EXPECT_EQ(up.frames.size(), 50u);
  EXPECT_DOUBLE_EQ(up.duration_seconds(), seq.duration_seconds());
  for (auto& f : up.frames) EXPECT_TRUE(f[8] >= 0.f && f[8] <= 1.f);
  // Source samples are hit exactly, and monotone segments stay monotone.
  for (size_t i = 0; i < 10; ++i) EXPECT_FLOAT_EQ(up.frames[i * 5][8], seq.frames[i][8]);
  for (int k = 0; k < 5; ++k) EXPECT_LE(up.frames[k][8], up.frames[k + 1][8]);
  AuSequence down = resample(up, 5);
  ASSERT_EQ(down.frames.size(), 10u);
  for (size_t i = 0; i < 10; ++i) EXPECT_NEAR(down.frames[i][8], seq.frames[i][8], 1e-6);
  // A linear ramp stays linear (PCHIP reproduces linear data).
  AuSequence ramp;
  ramp.fps = 10;
  for (int i = 0; i < 11; ++i) ramp.frames.push_back(AuFrame{}), ramp.frames.back()[0] = i / 10.f;
  AuSequence r = resample(ramp, 20);
  for (size_t k = 0; k + 1 < r.frames.size(); ++k) EXPECT_NEAR(r.frames[k][0], std::min(1.0, k / 20.0), 1e-6);
}

// A JSON number that no double holds is bad input naming the source, not an internal error (issue #17;
// reproducer tests/fuzz/findings/fuzz_au_file/json_number_overflow.json).
TEST(AuJson, NumberOutOfRangeIsBadInput) {
  try {
    au_from_json(R"({"au_set": "auhead30", "fps": 1e400, "frames": []})", "big.json");
    FAIL() << "accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::bad_input);
    EXPECT_EQ(std::string(e.what()), "big.json: not valid JSON: a number is out of range");
  }
}
