// A sequence of AU frames at a frame rate, with the emotion it expresses: what Stage 1 writes and
// Stage 2 renders. Files: JSON and CSV (docs/design.md §4), OpenFace 2.0 CSV import.
#pragma once
#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "auhead/au.h"

namespace auhead {

using AuFrame = std::array<float, kNumAus>;  // intensities in [0, 1]

struct EmotionState {
  Emotion label = Emotion::neutral;
  float intensity = 0.f;  // [0, 1]
  bool operator==(const EmotionState&) const = default;
};

struct AuSequence {
  double fps = 25.0;
  AuSet au_set = AuSet::auhead30;  // which channels the source knew; feafa24 leaves 24..29 at 0
  std::optional<EmotionState> emotion;
  std::vector<AuFrame> frames;
  // Optional head pose per frame, {yaw, pitch, roll} in degrees relative to the first frame (yaw > 0:
  // the face turns toward the viewer's right; pitch > 0: chin up; roll > 0: counter-clockwise in the
  // image), as `auhead au --video` reads it; the renderers then follow it instead of making their own
  // head motion. Empty, or one per frame.
  std::vector<std::array<float, 3>> head_pose;

  double duration_seconds() const { return fps > 0 ? double(frames.size()) / fps : 0.0; }
  bool operator==(const AuSequence&) const = default;

  // Throws input_error(source, ...) naming the first bad frame (fps <= 0, NaN, values outside [0,1],
  // channels beyond the AU set not 0, emotion intensity outside [0,1], a head pose track of another
  // length, angles that are not finite or beyond ±90°).
  void validate(const std::string& source = "AU sequence") const;
};

// Files auhead reads and writes; arkit_csv is written only.
enum class AuFileFormat { json, csv, openface_csv, arkit_csv };

// Format by extension (.json, .csv); a CSV whose header has OpenFace's AUxx_r columns is OpenFace.
AuFileFormat detect_au_format(const std::filesystem::path& file);

// Text codecs; `source` names the input in error messages ("<source>: line 12: ...").
std::string au_to_json(const AuSequence& seq);
AuSequence au_from_json(const std::string& text, const std::string& source = "<json>");
std::string au_to_csv(const AuSequence& seq);
AuSequence au_from_csv(const std::string& text, const std::string& source = "<csv>");
// OpenFace 2.0 FeatureExtraction/FaceLandmarkVidMulti CSV → AU sequence (see README, "OpenFace import").
AuSequence au_from_openface_csv(const std::string& text, const std::string& source = "<openface csv>");

// Export (README "Export"): the 52 ARKit blendshapes in Live Link Face's CSV layout (Timecode,
// BlendShapeCount, 61 curves; blendshapes without an AU, head and eye rotations are 0), and OpenFace
// 2.0's AUxx_r columns (intensity × 5; a left/right pair as the mean of its sides) that
// au_from_openface_csv reads back.
std::string au_to_arkit_csv(const AuSequence& seq);
std::string au_to_openface_csv(const AuSequence& seq);

// Files: read detects the format, write picks it from the extension (or takes it); writes are atomic.
AuSequence read_au_file(const std::filesystem::path& file);
void write_au_file(const std::filesystem::path& file, const AuSequence& seq);
void write_au_file(const std::filesystem::path& file, const AuSequence& seq, AuFileFormat format);
// "json", "csv", "arkit-csv", "openface-csv" (a usage error lists them otherwise).
AuFileFormat parse_au_file_format(const std::string& name);

// Limits every AU sequence keeps (validate() and resample() refuse more, before allocating):
// frame rates from 0.01 to 1000 fps and at most 2 500 000 frames (27 h at 25 fps, 300 MB).
inline constexpr double kMinAuFps = 0.01, kMaxAuFps = 1000;
inline constexpr std::size_t kMaxAuFrames = 2'500'000;

// Resamples to another frame rate with monotone cubic (Fritsch–Carlson) interpolation, which never
// overshoots, so values stay in [0, 1]. The duration is kept: round(n · to_fps / fps) frames.
// A result beyond kMaxAuFrames is an input error naming `source`.
AuSequence resample(const AuSequence& seq, double to_fps, const std::string& source = "AU sequence");

}  // namespace auhead
