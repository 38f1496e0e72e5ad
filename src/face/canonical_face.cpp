// GeometryPipelineMetadata wire format: 1 canonical_mesh {1 vertex_type, 2 primitive_type,
// 3 vertex_buffer (float, 5 per vertex: x y z u v), 4 index_buffer (uint32)},
// 2 procrustes_landmark_basis {1 landmark_id, 2 weight}. Repeated fields may be packed or not.
#include "face/canonical_face.h"

#include <cstring>
#include <fstream>
#include <mutex>

#include "auhead/error.h"
#include "face/face_analyzer.h"

namespace auhead::face {

namespace {

struct Wire {
  const uint8_t* p;
  const uint8_t* end;
  const std::string& file;

  [[noreturn]] void fail() const { throw input_error(file, "not a valid face geometry file (bad protobuf)"); }
  bool done() const { return p >= end; }
  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p >= end) fail();
      uint8_t b = *p++;
      v |= uint64_t(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    fail();
  }
  float fixed32() {
    if (end - p < 4) fail();
    float f;
    std::memcpy(&f, p, 4);
    p += 4;
    return f;
  }
  Wire sub() {
    uint64_t n = varint();
    if (n > uint64_t(end - p)) fail();
    Wire w{p, p + n, file};
    p += n;
    return w;
  }
  void skip(int wt) {
    if (wt == 0) varint();
    else if (wt == 1) { if (end - p < 8) fail(); p += 8; }
    else if (wt == 2) sub();
    else if (wt == 5) fixed32();
    else fail();
  }
};

}  // namespace

CanonicalFace CanonicalFace::load(const std::filesystem::path& path) {
  const std::string file = path.string();
  std::ifstream in(path, std::ios::binary);
  if (!in) throw input_error(file, "cannot open the face geometry file (run scripts/setup.sh)");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Wire top{bytes.data(), bytes.data() + bytes.size(), file};
  std::vector<float> vb;
  std::vector<uint32_t> ib;
  CanonicalFace cf;
  while (!top.done()) {
    uint64_t key = top.varint();
    int field = int(key >> 3), wt = int(key & 7);
    if (field == 1 && wt == 2) {
      Wire mesh = top.sub();
      while (!mesh.done()) {
        uint64_t k = mesh.varint();
        int f = int(k >> 3), w = int(k & 7);
        if (f == 3 && w == 5) vb.push_back(mesh.fixed32());
        else if (f == 3 && w == 2) { Wire s = mesh.sub(); while (!s.done()) vb.push_back(s.fixed32()); }
        else if (f == 4 && w == 0) ib.push_back(uint32_t(mesh.varint()));
        else if (f == 4 && w == 2) { Wire s = mesh.sub(); while (!s.done()) ib.push_back(uint32_t(s.varint())); }
        else mesh.skip(w);
      }
    } else if (field == 2 && wt == 2) {
      Wire ref = top.sub();
      int id = -1;
      float weight = 0;
      while (!ref.done()) {
        uint64_t k = ref.varint();
        int f = int(k >> 3), w = int(k & 7);
        if (f == 1 && w == 0) id = int(ref.varint());
        else if (f == 2 && w == 5) weight = ref.fixed32();
        else ref.skip(w);
      }
      if (id < 0 || id >= 468) top.fail();
      cf.procrustes_weights.emplace_back(id, weight);
    } else {
      top.skip(wt);
    }
  }
  if (vb.size() != 468 * 5 || ib.size() % 3 != 0 || ib.empty() || cf.procrustes_weights.empty())
    throw input_error(file, "face geometry has " + std::to_string(vb.size() / 5) +
                                " vertices (expected 468) or no triangles / landmark weights");
  for (int i = 0; i < 468; ++i) cf.vertices.emplace_back(vb[5 * i], vb[5 * i + 1], vb[5 * i + 2]);
  for (size_t i = 0; i < ib.size(); i += 3) {
    if (ib[i] >= 468 || ib[i + 1] >= 468 || ib[i + 2] >= 468) top.fail();
    cf.triangles.push_back({int(ib[i]), int(ib[i + 1]), int(ib[i + 2])});
  }
  return cf;
}

const CanonicalFace& CanonicalFace::standard() {
  static std::once_flag once;
  static CanonicalFace canonical;
  std::call_once(once, [] {
    auto file = default_face_models_dir() / "geometry_pipeline_metadata_landmarks.binarypb";
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec))
      throw unavailable_error(file.string() + ": canonical face missing (run scripts/setup.sh)");
    canonical = load(file);
  });
  return canonical;
}

}  // namespace auhead::face
