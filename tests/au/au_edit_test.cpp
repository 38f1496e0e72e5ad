#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "auhead/au_edit.h"
#include "auhead/error.h"
#include "test_util.h"

namespace fs = std::filesystem;
using namespace auhead;
using auhead::test::error_of;

namespace {
AuSequence flat(size_t n, float v = 0.2f) {
  AuSequence seq;
  seq.fps = 10;
  seq.frames.assign(n, AuFrame{});
  for (auto& f : seq.frames) f.fill(v);
  return seq;
}
}  // namespace

TEST(AuEdit, ParseOverride) {
  AuOverride o = parse_au_override("jaw_drop=0.6@1.2-2.0~0.25");
  EXPECT_EQ(o.au, 8);
  EXPECT_FLOAT_EQ(o.value, 0.6f);
  EXPECT_EQ(o.mode, AuOverride::Mode::set);
  EXPECT_DOUBLE_EQ(o.start, 1.2);
  EXPECT_DOUBLE_EQ(o.end, 2.0);
  EXPECT_DOUBLE_EQ(o.ramp_in, 0.25);
  EXPECT_DOUBLE_EQ(o.ramp_out, 0.25);
  o = parse_au_override("11+=0.3@3-");
  EXPECT_EQ(o.au, 11);
  EXPECT_EQ(o.mode, AuOverride::Mode::add);
  EXPECT_DOUBLE_EQ(o.start, 3);
  EXPECT_TRUE(std::isinf(o.end));
  o = parse_au_override("lip_pucker*=0.5");
  EXPECT_EQ(o.mode, AuOverride::Mode::scale);
  EXPECT_EQ(o.start, 0);
  for (const char* bad : {"jaw_drop", "smile=0.5", "jaw_drop=1.5", "jaw_drop=x", "jaw_drop=0.5@2-1", "jaw_drop=0.5@1",
                          "jaw_drop=0.5~-1", "40=0.1"}) {
    std::string msg = error_of([&] { parse_au_override(bad); });
    EXPECT_NE(msg.find(bad), std::string::npos) << bad << " -> " << msg;
  }
}

TEST(AuEdit, OverrideWithRamps) {
  AuSequence seq = flat(100);
  seq.fps = 20;  // 5 s
  AuEdit edit;
  edit.overrides.push_back(parse_au_override("jaw_drop=1@2-3~0.5"));
  apply_edit(seq, edit);
  auto at = [&](double t) { return seq.frames[size_t(std::lround(t * 20))][8]; };
  EXPECT_FLOAT_EQ(at(1.0), 0.2f);   // before the ramp
  EXPECT_FLOAT_EQ(at(1.5), 0.2f);   // ramp starts
  EXPECT_NEAR(at(1.75), 0.6f, 1e-6);  // half-way: smoothstep(0.5) = 0.5
  EXPECT_FLOAT_EQ(at(2.0), 1.f);
  EXPECT_FLOAT_EQ(at(3.0), 1.f);
  EXPECT_NEAR(at(3.25), 0.6f, 1e-6);
  EXPECT_FLOAT_EQ(at(3.5), 0.2f);
  for (auto& f : seq.frames) EXPECT_FLOAT_EQ(f[7], 0.2f);  // other AUs untouched
}

TEST(AuEdit, AddAndScaleClamp) {
  AuSequence seq = flat(10, 0.8f);
  AuEdit edit;
  edit.overrides.push_back(parse_au_override("0+=0.5"));
  edit.overrides.push_back(parse_au_override("1*=0.5"));
  edit.overrides.push_back(parse_au_override("2*=2"));
  apply_edit(seq, edit);
  EXPECT_FLOAT_EQ(seq.frames[4][0], 1.f);
  EXPECT_FLOAT_EQ(seq.frames[4][1], 0.4f);
  EXPECT_FLOAT_EQ(seq.frames[4][2], 1.f);
}

TEST(AuEdit, EmotionIntensityScaleMovesThePrototypeAus) {
  AuSequence seq = flat(5, 0.f);
  seq.emotion = EmotionState{Emotion::happy, 0.5f};
  const AuFrame& proto = emotion_prototype(Emotion::happy);
  for (auto& f : seq.frames)
    for (int a = 0; a < kNumAus; ++a) f[a] = 0.5f * proto[a];
  seq.frames[2][8] = 0.7f;  // speech
  AuEdit edit;
  edit.emotion_intensity_scale = 2.f;
  apply_edit(seq, edit);
  EXPECT_FLOAT_EQ(seq.emotion->intensity, 1.f);
  EXPECT_FLOAT_EQ(seq.frames[0][11], proto[11]);  // lip-corner raise doubled
  EXPECT_FLOAT_EQ(seq.frames[0][24], proto[24]);  // cheek raise doubled
  EXPECT_FLOAT_EQ(seq.frames[2][8], 0.7f);        // speech untouched
  edit.emotion_intensity_scale = 0.f;
  apply_edit(seq, edit);
  for (auto& f : seq.frames) EXPECT_FLOAT_EQ(f[11], 0.f);
  AuSequence none = flat(3);
  edit.emotion_intensity_scale = 1.5f;
  EXPECT_NE(error_of([&] { apply_edit(none, edit); }).find("emotion label"), std::string::npos);
}

TEST(AuEdit, EditFile) {
  fs::path dir = fs::temp_directory_path() / "auhead_edit_test";
  fs::create_directories(dir);
  std::ofstream(dir / "edit.json") << R"({"emotion_intensity_scale": 1.5, "overrides": [
      {"au": "lip_corner_raise_left", "value": 0.9, "start": 0.5, "end": 1.0, "ramp_in": 0.2},
      {"au": 8, "value": 0.5, "mode": "scale"}]})";
  AuEdit edit = read_edit_file(dir / "edit.json");
  ASSERT_TRUE(edit.emotion_intensity_scale);
  EXPECT_FLOAT_EQ(*edit.emotion_intensity_scale, 1.5f);
  ASSERT_EQ(edit.overrides.size(), 2u);
  EXPECT_EQ(edit.overrides[0].au, 11);
  EXPECT_DOUBLE_EQ(edit.overrides[0].ramp_in, 0.2);
  EXPECT_DOUBLE_EQ(edit.overrides[0].ramp_out, 0.0);
  EXPECT_EQ(edit.overrides[1].mode, AuOverride::Mode::scale);
  std::ofstream(dir / "bad.json") << R"({"overrides": [{"au": "smile", "value": 1}]})";
  EXPECT_NE(error_of([&] { read_edit_file(dir / "bad.json"); }).find("bad.json: override 0: unknown AU 'smile'"),
            std::string::npos);
  std::ofstream(dir / "bad2.json") << R"({"overrides": [{"au": 3, "value": 2}]})";
  EXPECT_NE(error_of([&] { read_edit_file(dir / "bad2.json"); }).find("value must be in [0, 1]"), std::string::npos);
  std::ofstream(dir / "bad3.json") << R"({"scale": 2})";
  EXPECT_NE(error_of([&] { read_edit_file(dir / "bad3.json"); }).find("unknown key \"scale\""), std::string::npos);
  fs::remove_all(dir);
}
