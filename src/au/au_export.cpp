// AU sequences for other tools: the 52 ARKit blendshapes in Live Link Face's CSV layout (Blender,
// Unreal, Unity face rigs), and OpenFace 2.0's AUxx_r intensity columns (the inverse of the import).
// Mappings: README "Export".
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <string_view>

#include "au/number_format.h"
#include "auhead/au_sequence.h"

namespace auhead {
namespace {

// Live Link Face's 61 curves: ARKit's 52 blendshapes in Unreal's EARFaceBlendShape order, then head
// and eye rotations.
constexpr std::array<std::string_view, 61> kLiveLinkColumns = {
    "EyeBlinkLeft",      "EyeLookDownLeft",    "EyeLookInLeft",     "EyeLookOutLeft",      "EyeLookUpLeft",
    "EyeSquintLeft",     "EyeWideLeft",        "EyeBlinkRight",     "EyeLookDownRight",    "EyeLookInRight",
    "EyeLookOutRight",   "EyeLookUpRight",     "EyeSquintRight",    "EyeWideRight",        "JawForward",
    "JawLeft",           "JawRight",           "JawOpen",           "MouthClose",          "MouthFunnel",
    "MouthPucker",       "MouthLeft",          "MouthRight",        "MouthSmileLeft",      "MouthSmileRight",
    "MouthFrownLeft",    "MouthFrownRight",    "MouthDimpleLeft",   "MouthDimpleRight",    "MouthStretchLeft",
    "MouthStretchRight", "MouthRollLower",     "MouthRollUpper",    "MouthShrugLower",     "MouthShrugUpper",
    "MouthPressLeft",    "MouthPressRight",    "MouthLowerDownLeft", "MouthLowerDownRight", "MouthUpperUpLeft",
    "MouthUpperUpRight", "BrowDownLeft",       "BrowDownRight",     "BrowInnerUp",         "BrowOuterUpLeft",
    "BrowOuterUpRight",  "CheekPuff",          "CheekSquintLeft",   "CheekSquintRight",    "NoseSneerLeft",
    "NoseSneerRight",    "TongueOut",          "HeadYaw",           "HeadPitch",           "HeadRoll",
    "LeftEyeYaw",        "LeftEyePitch",       "LeftEyeRoll",       "RightEyeYaw",         "RightEyePitch",
    "RightEyeRoll"};

// Blendshape column → the auhead AU it copies (-1: none, written 0). BrowInnerUp is special (the mean
// of both brow raises).
constexpr std::array<int, 52> kArkitFromAu = {
    0,  -1, -1, -1, -1, 25, 2,   // eye left: blink, look ×4, squint, wide
    1,  -1, -1, -1, -1, 25, 3,   // eye right
    17, 9,  10, 8,               // jaw forward, left, right, open
    -1, -1, 21, -1, -1,          // mouth close, funnel, pucker, left, right
    11, 12, 27, 27, 26, 26,      // smile L/R, frown L/R, dimple L/R
    13, 14, 16, 15, 20, -1,      // stretch L/R, roll lower, roll upper, shrug lower, shrug upper
    28, 28, 19, 19, 18, 18,      // press L/R, lower down L/R, upper up L/R
    4,  5,  -2, 6,  7,           // brow down L/R, inner up (mean of 6 and 7), outer up L/R
    22, 24, 24, 23, 23,          // cheek puff, cheek squint L/R, nose sneer L/R
    -1};                         // tongue out

// SMPTE-style timecode HH:MM:SS:FF.mmm of frame f (Live Link Face's first column).
std::string timecode(size_t f, double fps) {
  double t = double(f) / fps;
  long whole = long(std::floor(t));
  int frame_in_second = int(f - size_t(std::llround(double(whole) * fps)));
  if (frame_in_second < 0) frame_in_second = 0;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%02ld:%02ld:%02ld:%02d.000", whole / 3600, (whole / 60) % 60, whole % 60,
                frame_in_second);
  return buf;
}

std::string fixed(double v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

}  // namespace

std::string au_to_arkit_csv(const AuSequence& seq) {
  std::string out = "Timecode,BlendShapeCount";
  for (auto c : kLiveLinkColumns) out += "," + std::string(c);
  out += '\n';
  for (size_t f = 0; f < seq.frames.size(); ++f) {
    const AuFrame& a = seq.frames[f];
    out += timecode(f, seq.fps) + "," + std::to_string(kLiveLinkColumns.size());
    for (size_t c = 0; c < kLiveLinkColumns.size(); ++c) {
      double v = 0;
      if (c < kArkitFromAu.size()) {
        int k = kArkitFromAu[c];
        if (k >= 0) v = a[k];
        else if (k == -2) v = 0.5 * (double(a[6]) + a[7]);
      }
      out += "," + fixed(v, 6);
    }
    out += '\n';
  }
  return out;
}

std::string au_to_openface_csv(const AuSequence& seq) {
  // OpenFace AU → the auhead channels it reads back into (au_from_openface_csv); a pair is written
  // as the mean of its sides (the import sets both sides to it).
  struct Column {
    int number;
    std::array<int, 2> aus;
  };
  static constexpr std::array<Column, 17> kColumns = {{{1, {6, 7}},
                                                        {2, {6, 7}},
                                                        {4, {4, 5}},
                                                        {5, {2, 3}},
                                                        {6, {24, 24}},
                                                        {7, {25, 25}},
                                                        {9, {23, 23}},
                                                        {10, {18, 18}},
                                                        {12, {11, 12}},
                                                        {14, {26, 26}},
                                                        {15, {27, 27}},
                                                        {17, {20, 20}},
                                                        {20, {13, 14}},
                                                        {23, {28, 28}},
                                                        {25, {29, 29}},
                                                        {26, {8, 8}},
                                                        {45, {0, 1}}}};
  std::string out = "frame,face_id,timestamp,confidence,success";
  for (const auto& c : kColumns) {
    char buf[16];
    std::snprintf(buf, sizeof buf, ",AU%02d_r", c.number);
    out += buf;
  }
  out += '\n';
  for (size_t f = 0; f < seq.frames.size(); ++f) {
    const AuFrame& a = seq.frames[f];
    out += std::to_string(f + 1) + ",0," + format_number(double(f) / seq.fps) + ",1,1";
    for (const auto& c : kColumns) {
      float v = 0.5f * (a[c.aus[0]] + a[c.aus[1]]);
      out += "," + format_number(std::clamp(v * 5.f, 0.f, 5.f));
    }
    out += '\n';
  }
  return out;
}

}  // namespace auhead
