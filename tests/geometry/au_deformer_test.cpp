// AuDeformer on the sample portrait: each AU moves its region in its FACS direction and leaves
// distant regions still; zero AUs reproduce the portrait; lips never cross; eye closure closes.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "auhead/au.h"
#include "auhead/error.h"
#include "core/data_path.h"
#include "core/atomic_file.h"
#include "geometry/au_basis.h"
#include "geometry/au_deformer.h"
#include "geometry/geometry_test_util.h"

namespace auhead::geometry {
namespace {

using test::sample_portrait;

#define NEED_PORTRAIT()                                                       \
  const auto* portrait = sample_portrait();                                   \
  if (!portrait) GTEST_SKIP() << "face models or sample portrait missing"; \
  const AuDeformer& deformer = shared_deformer(*portrait)

const AuDeformer& shared_deformer(const test::Portrait& p) {
  static AuDeformer d(p.face, p.canonical, AuBasis::standard());
  return d;
}

AuFrame one(int k, float v = 1.f) {
  AuFrame a{};
  a[k] = v;
  return a;
}

int au(const char* name) { return *find_au(name); }

float dist(const cv::Point3f& a, const cv::Point3f& b) {
  cv::Point3f d = a - b;
  return std::sqrt(d.dot(d));
}

TEST(GeometryBasis, StandardBasisDefinesEveryAuAndGroup) {
  const AuBasis& b = AuBasis::standard();
  for (int k = 0; k < kNumAus; ++k) {
    EXPECT_TRUE(b.aus[k].defined) << au_info(k).name;
    EXPECT_TRUE(b.aus[k].mirror_of >= 0 || !b.aus[k].handles.empty()) << au_info(k).name;
  }
  EXPECT_EQ(b.groups.size(), 8u);
  std::array<int, kNumAus> grouped{};
  for (const auto& g : b.groups)
    for (int k : g.aus) grouped[k]++;
  for (int k = 0; k < kNumAus; ++k) EXPECT_GE(grouped[k], 1) << au_info(k).name << " is in no group";
}

TEST(GeometryBasis, BadFilesAreInputErrors) {
  EXPECT_THROW(AuBasis::parse("{", "x.json"), Error);
  EXPECT_THROW(AuBasis::parse(R"({"aus": [{"au": "nope", "handles": []}]})", "x.json"), Error);
  try {
    AuBasis::parse(R"({"aus": [{"au": "jaw_drop", "handles": [{"at": 999, "d": [0,0,0], "r": 1}]}]})", "x.json");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::bad_input);
    EXPECT_NE(std::string(e.what()).find("x.json"), std::string::npos);
  }
}

TEST(GeometryBasis, BadCombinationsAreInputErrors) {
  std::string text = read_text_file(data_file("au_basis.json"));
  auto with = [&](const std::string& combos) {
    std::string t = text;
    auto at = t.find("\"combinations\": [");
    auto end = t.find("\n  ],", at);
    return t.substr(0, at) + "\"combinations\": [" + combos + t.substr(end + 3);
  };
  EXPECT_NO_THROW(AuBasis::parse(with(""), "x.json"));
  for (const char* bad : {R"({"aus": ["brow_raise_left"], "handles": []})",
                          R"({"aus": ["brow_raise_left", "nope"], "handles": []})",
                          R"({"aus": ["jaw_drop", "lips_part"], "mirror_of": 0})"}) {
    try {
      AuBasis::parse(with(bad), "x.json");
      ADD_FAILURE() << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ExitCode::bad_input) << bad;
      EXPECT_NE(std::string(e.what()).find("combination"), std::string::npos) << e.what();
    }
  }
}

TEST(GeometryBasis, MirrorMapAndMirroredAusAreSymmetric) {
  const auto* portrait = sample_portrait();
  if (!portrait) GTEST_SKIP() << "face models missing";
  auto m = mirror_map(portrait->canonical);
  for (int i = 0; i < kMeshPoints; ++i) ASSERT_EQ(m[m[i]], i);
  EXPECT_EQ(m[61], 291);
  EXPECT_EQ(m[159], 386);
  // On the canonical face itself, a right AU is the exact mirror of its left AU.
  AuFields f = compute_au_fields(AuBasis::standard(), portrait->canonical, portrait->canonical.vertices);
  for (int k = 0; k < kNumAus; ++k) {
    int mk = au_info(k).mirror;
    if (mk < 0) mk = k;
    for (int v = 0; v < kMeshPoints; ++v) {
      cv::Vec3f a = f.au[k][v], b = f.au[mk][m[v]];
      ASSERT_NEAR(a[0], -b[0], 1e-4) << au_info(k).name << " vertex " << v;
      ASSERT_NEAR(a[1], b[1], 1e-4) << au_info(k).name << " vertex " << v;
      ASSERT_NEAR(a[2], b[2], 1e-4) << au_info(k).name << " vertex " << v;
    }
  }
}

TEST(GeometryDeformer, AllZeroGivesThePortraitExactly) {
  NEED_PORTRAIT();
  auto out = deformer.deform(AuFrame{});
  ASSERT_EQ(out.size(), portrait->face.landmarks.size());
  for (size_t i = 0; i < out.size(); ++i) {
    EXPECT_EQ(out[i].x, portrait->face.landmarks[i].x);
    EXPECT_EQ(out[i].y, portrait->face.landmarks[i].y);
    EXPECT_EQ(out[i].z, portrait->face.landmarks[i].z);
  }
}

TEST(GeometryDeformer, CanonicalDeltaMatchesTheAlignment) {
  NEED_PORTRAIT();
  // The image delta of a canonical displacement equals the difference of the mapped points.
  const auto& s = portrait->face.alignment.canonical_to_image;
  cv::Point3f c = portrait->face.alignment.aligned[1];
  cv::Point3f d(0.3f, -0.5f, 0.2f);
  auto to_image = [&](cv::Point3f p) { return cv::Point3f(s.apply(cv::Point3d(p.x, -p.y, -p.z))); };
  cv::Point3f expect = to_image(c + d) - to_image(c);
  cv::Point3f got = deformer.canonical_delta_to_image(d);
  EXPECT_NEAR(got.x, expect.x, 1e-3);
  EXPECT_NEAR(got.y, expect.y, 1e-3);
  EXPECT_NEAR(got.z, expect.z, 1e-3);
}

// Every AU at 1 moves something by at least 1.5 mm, and nothing beyond its reach.
TEST(GeometryDeformer, EachAuMovesItsRegionOnly) {
  NEED_PORTRAIT();
  const auto& rest = portrait->face.alignment.aligned;
  const int brow_l = 334, brow_r = 105, chin = 152, lip_l = 291, lip_r = 61;
  for (int k = 0; k < kNumAus; ++k) {
    auto p = deformer.deform_canonical(one(k));
    float maxd = 0;
    for (int v = 0; v < kMeshPoints; ++v) maxd = std::max(maxd, dist(p[v], rest[v]));
    EXPECT_GT(maxd, 0.15f) << au_info(k).name;
    auto region = au_info(k).region;
    if (region == AuRegion::mouth && k != au("cheek_puff")) {
      EXPECT_EQ(dist(p[brow_l], rest[brow_l]), 0.f) << au_info(k).name;
      EXPECT_EQ(dist(p[brow_r], rest[brow_r]), 0.f) << au_info(k).name;
      EXPECT_EQ(dist(p[386], rest[386]), 0.f) << au_info(k).name;
    }
    if (region == AuRegion::eyes || region == AuRegion::brows) {
      EXPECT_EQ(dist(p[chin], rest[chin]), 0.f) << au_info(k).name;
      EXPECT_EQ(dist(p[lip_l], rest[lip_l]), 0.f) << au_info(k).name;
      EXPECT_EQ(dist(p[lip_r], rest[lip_r]), 0.f) << au_info(k).name;
      EXPECT_EQ(dist(p[17], rest[17]), 0.f) << au_info(k).name;
    }
    // A one-sided AU leaves the other half (beyond 1 cm of the midline) still.
    std::string name(au_info(k).name);
    bool left = name.ends_with("_left") && !name.starts_with("jaw_slide");
    bool right = name.ends_with("_right") && !name.starts_with("jaw_slide");
    for (int v = 0; v < kMeshPoints; ++v) {
      if (left && rest[v].x < -1.f) {
        ASSERT_EQ(dist(p[v], rest[v]), 0.f) << name << " moves vertex " << v;
      }
      if (right && rest[v].x > 1.f) {
        ASSERT_EQ(dist(p[v], rest[v]), 0.f) << name << " moves vertex " << v;
      }
    }
  }
}

TEST(GeometryDeformer, LipCornerRaiseLiftsAndWidensItsSideOnly) {
  NEED_PORTRAIT();
  const auto& rest = portrait->face.alignment.aligned;
  const auto& img = portrait->face.landmarks;
  // Subject's left corner is 291 (canonical +x, the viewer's right).
  auto p = deformer.deform_canonical(one(au("lip_corner_raise_left")));
  EXPECT_GT(p[291].y - rest[291].y, 0.5f);
  EXPECT_GT(p[291].x - rest[291].x, 0.2f);
  EXPECT_EQ(dist(p[61], rest[61]), 0.f);
  // Mouth gets wider.
  EXPECT_GT(p[291].x - p[61].x, rest[291].x - rest[61].x + 0.2f);
  // In the image: up (smaller y) and toward the viewer's right for this near-frontal portrait.
  auto q = deformer.deform(one(au("lip_corner_raise_left")));
  EXPECT_LT(q[291].y, img[291].y - 2);
  EXPECT_GT(q[291].x, img[291].x + 1);
  EXPECT_EQ(q[61].x, img[61].x);
  EXPECT_EQ(q[61].y, img[61].y);
  // The right one mirrors it.
  auto r = deformer.deform_canonical(one(au("lip_corner_raise_right")));
  EXPECT_GT(r[61].y - rest[61].y, 0.5f);
  EXPECT_LT(r[61].x - rest[61].x, -0.2f);
  EXPECT_EQ(dist(r[291], rest[291]), 0.f);
  // Coupling: the smile lifts its cheek.
  EXPECT_GT(p[280].y - rest[280].y, 0.1f);
  EXPECT_EQ(dist(p[50], rest[50]), 0.f);
}

TEST(GeometryDeformer, JawDropOpensTheMouthAndLowersTheChin) {
  NEED_PORTRAIT();
  const auto& rest = portrait->face.alignment.aligned;
  auto p = deformer.deform_canonical(one(au("jaw_drop")));
  float gap0 = rest[13].y - rest[14].y, gap = p[13].y - p[14].y;
  EXPECT_GT(gap - gap0, 1.5f);
  EXPECT_LT(p[152].y - rest[152].y, -2.f);
  EXPECT_LT(p[17].y - rest[17].y, -1.5f);
  EXPECT_GT(p[13].y - rest[13].y, -0.2f);  // the upper lip stays (nearly) where it was
  EXPECT_LT(p[425].y - rest[425].y, -0.1f);  // the cheeks stretch
  EXPECT_EQ(dist(p[1], rest[1]), 0.f);       // the nose tip stays
  auto q = deformer.deform(one(au("jaw_drop")));
  const auto& img = portrait->face.landmarks;
  EXPECT_GT(q[14].y - q[13].y, img[14].y - img[13].y + 10);  // image pixels
}

TEST(GeometryDeformer, EyeClosureBringsTheLidsTogether) {
  NEED_PORTRAIT();
  const auto& rest = portrait->face.alignment.aligned;
  const auto& c = AuBasis::standard().constraints;
  for (int s = 0; s < 2; ++s) {
    int k = c.eye_closure[s];
    auto p = deformer.deform_canonical(one(k));
    for (auto [u, l] : c.eyelids[s]) {
      EXPECT_LT(dist(p[u], p[l]), 1e-4f) << au_info(k).name << " pair " << u << "/" << l;
      EXPECT_LT(p[u].y, rest[u].y);
    }
    for (auto [u, l] : c.eyelids[1 - s]) EXPECT_EQ(dist(p[u], rest[u]), 0.f);
    // Half closure: about half the gap.
    auto h = deformer.deform_canonical(one(k, 0.5f));
    auto [u, l] = c.eyelids[s][3];
    float g0 = rest[u].y - rest[l].y, g = h[u].y - h[l].y;
    EXPECT_NEAR(g, 0.5f * g0, 0.1f * g0);
    // With lid raise on top, closure 1 still closes.
    AuFrame a = one(k);
    a[s == 0 ? au("lid_raise_left") : au("lid_raise_right")] = 1;
    a[au("lid_tighten")] = 1;
    auto z = deformer.deform_canonical(a);
    for (auto [uu, ll] : c.eyelids[s]) EXPECT_LT(dist(z[uu], z[ll]), 1e-4f);
  }
}

TEST(GeometryDeformer, BrowRaiseLiftsTheBrow) {
  NEED_PORTRAIT();
  const auto& rest = portrait->face.alignment.aligned;
  auto p = deformer.deform_canonical(one(au("brow_raise_left")));
  for (int v : {336, 296, 334, 293, 300}) EXPECT_GT(p[v].y - rest[v].y, 0.3f) << v;
  for (int v : {107, 66, 105, 63, 70}) EXPECT_EQ(dist(p[v], rest[v]), 0.f) << v;
  EXPECT_LT(std::abs(p[374].y - rest[374].y), 1e-6f);  // the lower lid stays
  auto q = deformer.deform_canonical(one(au("brow_lower_right")));
  for (int v : {107, 66, 105}) EXPECT_LT(q[v].y - rest[v].y, -0.2f) << v;
  EXPECT_GT(q[107].x - rest[107].x, 0.1f);  // the inner brow moves toward the midline
}

// AU1+4 (sadness, fear): with both the brow raise and the brow lower on, the inner brow ends higher
// than the outer one relative to rest (the oblique brow), and higher than the two AUs' fields summed.
TEST(GeometryDeformer, BrowRaiseWithBrowLowerTiltsTheBrowUpInside) {
  NEED_PORTRAIT();
  const auto& rest = portrait->face.alignment.aligned;
  AuFrame a{};
  a[au("brow_raise_left")] = 0.6f;
  a[au("brow_lower_left")] = 0.6f;
  auto p = deformer.deform_canonical(a);
  float inner = p[336].y - rest[336].y, outer = p[300].y - rest[300].y;
  EXPECT_GT(inner - outer, 0.3f);
  const auto& f = deformer.fields();
  float summed = 0.6f * (f.au[au("brow_raise_left")][336][1] + f.au[au("brow_lower_left")][336][1]);
  EXPECT_GT(inner, summed + 0.3f);
  auto right = deformer.deform_canonical(AuFrame{});  // the other side is untouched
  for (int v : {107, 66, 105, 63, 70}) EXPECT_EQ(dist(p[v], right[v]), 0.f) << v;
}

// Brows drawn down hard onto the lids bunch the skin instead of turning triangles over: every
// upper-face triangle keeps its orientation seen from the front.
TEST(GeometryDeformer, BrowsLoweredHardDoNotFoldTheUpperFace) {
  NEED_PORTRAIT();
  const auto& rest = portrait->face.alignment.aligned;
  AuFrame a{};
  for (const char* n : {"brow_lower_left", "brow_lower_right", "lid_raise_left", "lid_raise_right", "lid_tighten"})
    a[au(n)] = 1.f;
  auto p = deformer.deform_canonical(a);
  auto area = [](const cv::Point3f& x, const cv::Point3f& y, const cv::Point3f& z) {
    return (y.x - x.x) * (z.y - x.y) - (y.y - x.y) * (z.x - x.x);
  };
  int checked = 0;
  for (const auto& t : portrait->canonical.triangles) {
    if (!(rest[t[0]].y > rest[1].y && rest[t[1]].y > rest[1].y && rest[t[2]].y > rest[1].y)) continue;
    float a0 = area(rest[t[0]], rest[t[1]], rest[t[2]]);
    if (std::abs(a0) < 2e-4f) continue;
    ++checked;
    EXPECT_GT(area(p[t[0]], p[t[1]], p[t[2]]) / a0, 0.f) << t[0] << " " << t[1] << " " << t[2];
  }
  EXPECT_GT(checked, 300);
}

TEST(GeometryDeformer, MoreDirections) {
  NEED_PORTRAIT();
  const auto& rest = portrait->face.alignment.aligned;
  auto d = [&](const char* name, int v) {
    auto p = deformer.deform_canonical(one(au(name)));
    return p[v] - rest[v];
  };
  EXPECT_GT(d("lid_raise_left", 386).y, 0.2f);
  EXPECT_GT(d("lip_corner_stretch_left", 291).x, 0.4f);
  EXPECT_LT(d("lip_corner_depress", 291).y, -0.3f);
  EXPECT_LT(d("lip_corner_depress", 61).y, -0.3f);
  EXPECT_GT(d("upper_lip_raise", 0).y, 0.25f);
  EXPECT_LT(d("lower_lip_depress", 17).y, -0.3f);
  EXPECT_GT(d("chin_raise", 152).y, 0.2f);
  EXPECT_LT(d("lip_pucker", 291).x, -0.4f);
  EXPECT_GT(d("lip_pucker", 61).x, 0.4f);
  EXPECT_GT(d("lip_pucker", 0).z, 0.3f);
  EXPECT_GT(d("cheek_puff", 425).x, 0.3f);
  EXPECT_LT(d("cheek_puff", 205).x, -0.3f);
  EXPECT_GT(d("nose_wrinkle", 327).y, 0.2f);
  EXPECT_GT(d("cheek_raise", 280).y, 0.2f);
  EXPECT_GT(d("lid_tighten", 374).y, 0.1f);
  EXPECT_GT(d("jaw_slide_left", 152).x, 0.5f);
  EXPECT_LT(d("jaw_slide_right", 152).x, -0.5f);
  EXPECT_GT(d("jaw_thrust", 152).z, 0.4f);
  EXPECT_LT(d("upper_lip_suck", 0).z, -0.2f);
  EXPECT_LT(d("lower_lip_suck", 17).z, -0.2f);
  EXPECT_LT(d("dimple", 291).z, -0.2f);
  EXPECT_LT(d("lips_part", 14).y, -0.3f);
}

TEST(GeometryDeformer, LipsNeverCross) {
  NEED_PORTRAIT();
  const auto& rest = portrait->face.alignment.aligned;
  const auto& c = AuBasis::standard().constraints;
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> u01(0, 1);
  for (int trial = 0; trial < 200; ++trial) {
    AuFrame a{};
    for (auto& x : a) x = u01(rng) < 0.3f ? u01(rng) : 0.f;
    if (trial % 4 == 0) a[au("lip_tighten")] = a[au("chin_raise")] = a[au("upper_lip_suck")] = 1;
    auto p = deformer.deform_canonical(a);
    for (auto [up, lo] : c.lip_inner)
      ASSERT_GE(p[up].y - p[lo].y, std::min(0.f, rest[up].y - rest[lo].y) - 1e-5f) << up << "/" << lo;
    for (auto [up, lo] : c.lip_upper_outer)
      ASSERT_GE(p[up].y - p[lo].y, std::min(0.f, rest[up].y - rest[lo].y) - 1e-5f);
    for (auto [up, lo] : c.lip_lower_outer)
      ASSERT_GE(p[up].y - p[lo].y, std::min(0.f, rest[up].y - rest[lo].y) - 1e-5f);
    for (const auto& side : c.eyelids)
      for (auto [up, lo] : side) ASSERT_GE(p[up].y - p[lo].y, std::min(0.f, rest[up].y - rest[lo].y) - 1e-5f);
  }
}

TEST(GeometryDeformer, OutOfRangeIntensitiesAreClamped) {
  NEED_PORTRAIT();
  auto a = deformer.deform(one(au("jaw_drop"), 3.f));
  auto b = deformer.deform(one(au("jaw_drop"), 1.f));
  EXPECT_EQ(a[152].y, b[152].y);
  auto z = deformer.deform(one(au("jaw_drop"), -1.f));
  EXPECT_EQ(z[152].y, portrait->face.landmarks[152].y);
}

}  // namespace
}  // namespace auhead::geometry
