// The AU displacement basis (data/au_basis.json, documented in data/AU_BASIS.md): per AU, handles
// (an anchor landmark, its displacement at intensity 1 in canonical cm, a falloff radius and a
// region), the couplings and combinations of AUs, the lip/eyelid constraints and the AU groups of the region
// maps. compute_au_fields() turns it into one 468×3 displacement field per AU.
#pragma once
#include <array>
#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "auhead/au.h"
#include "face/canonical_face.h"

namespace auhead::geometry {

inline constexpr int kMeshPoints = 468;

// Where a handle may act: everywhere, above/below the mouth line, above/below the eye line.
enum class HandleRegion { any, mouth_upper, mouth_lower, eye_upper, eye_lower };
// Which half of the face an AU or coupling may move (the subject's left is canonical +x).
enum class FaceSide { both, left, right };

struct AuHandle {
  int at = 0;                 // anchor landmark (MediaPipe FaceMesh index)
  cv::Vec3f d{0, 0, 0};       // displacement at intensity 1, canonical cm (x right, y up, z to viewer)
  int meet = -1;              // ≥ 0: instead of d, move the fraction f of the way to this landmark
  float f = 0;
  float radius = 1;           // kernel support, canonical cm
  HandleRegion region = HandleRegion::any;
};

struct AuBasisEntry {
  bool defined = false;
  FaceSide side = FaceSide::both;
  int mirror_of = -1;         // ≥ 0: this AU is the mirror image of that one
  bool symmetric = false;     // add the mirror image of every handle
  // > 0: a vertex moves toward the face's midline by at most this fraction of its distance from it
  // (brows drawn together bunch the skin between them instead of folding it over the midline).
  float midline_travel = 0;
  // A one-sided AU's weight ramps up over ±side_blend_cm around x = side_shift_cm (on its own side):
  // > 0 keeps the midline itself still (the other half cannot shear against it).
  float side_shift_cm = 0;
  std::vector<AuHandle> handles;
};

struct AuCoupling {
  int from = 0, to = 0;
  float gain = 0;
  FaceSide side = FaceSide::both;
};

// Two AUs that show a shape of their own when both are on (FACS: AU1+4, the inner brows raised and
// drawn together, the oblique brow of sadness and fear): `handles` move by gain · min(a[a], a[b]).
struct AuCombination {
  int a = 0, b = 0;
  float gain = 1;
  FaceSide side = FaceSide::both;
  int mirror_of = -1;  // ≥ 0: the mirror image of that combination (handles and side mirrored)
  std::vector<AuHandle> handles;
};

struct AuConstraints {
  std::vector<std::pair<int, int>> lip_inner;        // [upper inner, lower inner]
  std::vector<std::pair<int, int>> lip_upper_outer;  // [upper outer, upper inner]
  std::vector<std::pair<int, int>> lip_lower_outer;  // [lower inner, lower outer]
  std::array<std::vector<std::pair<int, int>>, 2> eyelids;  // [left, right]: [upper, lower]
  std::array<int, 2> eye_closure{0, 1};                      // AU index per side [left, right]
  float eyelid_meet = 0.8f;
};

struct AuGroup {
  std::string name;
  std::vector<int> aus;
};

struct AuBasis {
  std::array<AuBasisEntry, kNumAus> aus;
  std::vector<AuCoupling> couplings;
  std::vector<AuCombination> combinations;
  AuConstraints constraints;
  std::vector<AuGroup> groups;
  float side_blend_cm = 0.4f;
  float region_blend_cm = 0.1f;

  // Parses the JSON; any problem is an input error naming the file and the AU/handle.
  static AuBasis parse(const std::string& json_text, const std::string& source);
  static AuBasis load(const std::filesystem::path& file);
  // data/au_basis.json, loaded once per process.
  static const AuBasis& standard();
};

// Left↔right vertex map of the canonical mesh (exactly symmetric: vertex i ↔ the vertex at its
// mirror image x → −x).
std::vector<int> mirror_map(const face::CanonicalFace& canonical);

// The per-AU displacement fields, 468 vectors each, canonical frame, intensity 1.
struct AuFields {
  std::array<std::vector<cv::Vec3f>, kNumAus> au;
  std::vector<std::vector<cv::Vec3f>> coupling;     // parallel to AuBasis::couplings
  std::vector<std::vector<cv::Vec3f>> combination;  // parallel to AuBasis::combinations (gain included)
};

// Builds the fields. Kernel distances and regions come from the canonical mesh; 'meet' handles use
// `rest` (the portrait's own landmarks in the canonical frame, FaceAlignment::aligned) so that eye
// closure 1 closes this face's eyes exactly.
AuFields compute_au_fields(const AuBasis& basis, const face::CanonicalFace& canonical,
                           const std::vector<cv::Point3f>& rest);

}  // namespace auhead::geometry
