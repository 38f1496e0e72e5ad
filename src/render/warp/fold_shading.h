// AU-driven shading of the skin folds a warp cannot make (issue #14): nasolabial folds, forehead
// lines, the vertical lines between lowered brows, crow's feet, nose-bridge wrinkles, the chin's
// dimpling. Each fold is a path between landmarks (data/fold_shading.json), so it moves with the
// warped face; its weight is a weighted sum of AU intensities. It darkens a soft crease and lightens
// the bulge beside it, multiplying the portrait's own pixels, so it takes the portrait's lighting.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "auhead/au_sequence.h"

namespace auhead::render::warp {

// A point of a fold path: landmark a + t · (landmark b − landmark a).
struct FoldPoint {
  int a = 0, b = 0;
  float t = 0;
};

struct Fold {
  std::string name;
  std::vector<std::pair<int, float>> aus;  // weight = clamp(Σ gain · AU, 0, 1)
  float onset = 0;                         // weight below this shows nothing; rescaled above it
  std::vector<FoldPoint> path;             // a polyline (a crease) ...
  bool texture = false;                    // ... or, when true, path[0] is the centre of a dimpled patch
  float radius_x = 0, radius_y = 0;        // patch half-axes (texture), inter-ocular units
  float width = 0.02f;                     // crease width, inter-ocular units
  float blur = 0.02f;                      // softness (Gaussian sigma), inter-ocular units
  float dark = 0.2f;                       // darkening at weight 1 (0..1 of the pixel)
  float light = 0.0f;                      // lightening of the bulge at weight 1
  float light_offset = 0.0f;               // bulge offset along the path's left normal (inter-ocular units; sign picks the side)
  bool flatten = true;                     // faded in a neutralised portrait (false: a shadow, not a crease)
};

struct FoldSet {
  std::vector<Fold> folds;
  // Parses data/fold_shading.json's layout; problems are input errors naming `source` and the fold.
  // `mirror`: the face mesh's left-right vertex map, needed by folds marked "mirror" (each becomes
  // name_left as written and name_right, its mirror image).
  static FoldSet parse(const std::string& json_text, const std::string& source, const std::vector<int>& mirror = {});
  static FoldSet load(const std::filesystem::path& file, const std::vector<int>& mirror = {});
  static const FoldSet& standard();  // data/fold_shading.json, loaded once per process
};

class FoldShading {
 public:
  explicit FoldShading(const FoldSet& set = FoldSet::standard());
  // Shades `frame` (RGB, the warped portrait) for the frame's landmarks `face` (frame pixels) and
  // its AUs. Nothing is drawn for folds whose weight is 0.
  void compose(cv::Mat& frame, const std::vector<cv::Point2f>& face, const AuFrame& aus) const;
  // Portrait neutralisation's part: the creases the portrait's own AUs (`own`, estimated from the
  // photo) make are lifted to the brightness around them in `framed` (the portrait in the output
  // frame, `face` its landmarks there), so a photo's smile folds fade when its smile is taken off.
  void flatten(cv::Mat& framed, const std::vector<cv::Point2f>& face, const AuFrame& own) const;
  // A fold's weight for these AUs, after the onset (0..1).
  static float weight(const Fold& fold, const AuFrame& aus);

 private:
  const FoldSet* set_;
  cv::Mat noise_;  // CV_32F, zero-mean dimple pattern, unit RMS (textures)
};

}  // namespace auhead::render::warp
