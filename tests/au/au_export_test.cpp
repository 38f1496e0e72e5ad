// AU export: ARKit blendshapes in Live Link Face's CSV layout, and OpenFace AUxx_r columns that the
// OpenFace import reads back.
#include <gtest/gtest.h>

#include <sstream>

#include "au/csv_lines.h"
#include "auhead/au_sequence.h"
#include "auhead/error.h"

namespace auhead {
namespace {

int au(const char* name) { return *find_au(name); }

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  std::string cell;
  while (std::getline(ss, cell, ',')) out.push_back(cell);
  return out;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string l;
  while (std::getline(ss, l)) out.push_back(l);
  return out;
}

AuSequence sample() {
  AuSequence s;
  s.fps = 25;
  s.frames.resize(30);
  for (int t = 0; t < 30; ++t) {
    s.frames[t][au("eye_closure_left")] = t == 10 ? 1.f : 0.f;
    s.frames[t][au("lip_corner_raise_left")] = 0.02f * t;
    s.frames[t][au("lip_corner_raise_right")] = 0.02f * t;
    s.frames[t][au("brow_raise_left")] = 0.4f;
    s.frames[t][au("brow_raise_right")] = 0.2f;
    s.frames[t][au("jaw_drop")] = 0.5f;
    s.frames[t][au("nose_wrinkle")] = 0.3f;
  }
  return s;
}

TEST(AuExport, ArkitCsvHasTheLiveLinkFaceLayout) {
  auto text = au_to_arkit_csv(sample());
  auto rows = lines(text);
  ASSERT_EQ(rows.size(), 31u);
  auto header = split(rows[0]);
  ASSERT_EQ(header.size(), 63u);
  EXPECT_EQ(header[0], "Timecode");
  EXPECT_EQ(header[1], "BlendShapeCount");
  EXPECT_EQ(header[2], "EyeBlinkLeft");
  EXPECT_EQ(header[2 + 17], "JawOpen");
  EXPECT_EQ(header[2 + 23], "MouthSmileLeft");
  EXPECT_EQ(header[2 + 51], "TongueOut");
  EXPECT_EQ(header[62], "RightEyeRoll");
  auto col = [&](const std::string& name) {
    for (size_t c = 0; c < header.size(); ++c)
      if (header[c] == name) return c;
    ADD_FAILURE() << name;
    return size_t(0);
  };
  auto r10 = split(rows[11]);
  ASSERT_EQ(r10.size(), 63u);
  EXPECT_EQ(r10[0], "00:00:00:10.000");
  EXPECT_EQ(r10[1], "61");
  EXPECT_DOUBLE_EQ(std::stod(r10[col("EyeBlinkLeft")]), 1.0);
  EXPECT_DOUBLE_EQ(std::stod(r10[col("EyeBlinkRight")]), 0.0);
  EXPECT_NEAR(std::stod(r10[col("MouthSmileLeft")]), 0.2, 1e-6);
  EXPECT_NEAR(std::stod(r10[col("JawOpen")]), 0.5, 1e-6);
  EXPECT_NEAR(std::stod(r10[col("BrowInnerUp")]), 0.3, 1e-6);  // mean of both brow raises
  EXPECT_NEAR(std::stod(r10[col("BrowOuterUpLeft")]), 0.4, 1e-6);
  EXPECT_NEAR(std::stod(r10[col("NoseSneerRight")]), 0.3, 1e-6);
  EXPECT_DOUBLE_EQ(std::stod(r10[col("MouthFunnel")]), 0.0);
  EXPECT_EQ(split(rows[26])[0], "00:00:01:00.000");  // frame 25 at 25 fps
}

TEST(AuExport, OpenFaceCsvReadsBack) {
  AuSequence s = sample();
  // OpenFace has one channel for a pair: make the sides equal so that the round trip is exact.
  for (auto& f : s.frames) f[au("brow_raise_right")] = f[au("brow_raise_left")];
  for (auto& f : s.frames) f[au("eye_closure_right")] = f[au("eye_closure_left")];
  AuSequence back = au_from_openface_csv(au_to_openface_csv(s), "export.csv");
  ASSERT_EQ(back.frames.size(), s.frames.size());
  EXPECT_NEAR(back.fps, 25.0, 1e-6);
  for (size_t t = 0; t < s.frames.size(); ++t)
    for (int k = 0; k < kNumAus; ++k) {
      bool mapped = k != au("jaw_slide_left") && k != au("jaw_slide_right") && k != au("upper_lip_suck") &&
                    k != au("lower_lip_suck") && k != au("jaw_thrust") && k != au("lower_lip_depress") &&
                    k != au("lip_pucker") && k != au("cheek_puff");
      if (mapped) {
        EXPECT_NEAR(back.frames[t][k], s.frames[t][k], 1e-5) << t << " " << au_info(k).name;
      }
    }
  EXPECT_NE(au_to_openface_csv(s).find("AU45_r"), std::string::npos);
}

TEST(AuExport, FormatNames) {
  EXPECT_EQ(parse_au_file_format("arkit-csv"), AuFileFormat::arkit_csv);
  EXPECT_EQ(parse_au_file_format("openface-csv"), AuFileFormat::openface_csv);
  EXPECT_THROW(parse_au_file_format("fbx"), Error);
}

}  // namespace
}  // namespace auhead
