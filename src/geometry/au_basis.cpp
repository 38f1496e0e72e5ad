// Parsing of data/au_basis.json and the kernel spreading of its handles into per-vertex fields.
#include "geometry/au_basis.h"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <nlohmann/json.hpp>

#include "auhead/error.h"
#include "core/json_text.h"
#include "core/smoothstep.h"
#include "core/atomic_file.h"
#include "core/data_path.h"

namespace auhead::geometry {
namespace {

using nlohmann::json;

int au_index(const json& j, const std::string& source, const std::string& where) {
  if (!j.is_string()) throw input_error(source, where + ": AU name expected");
  auto idx = find_au(j.get<std::string>());
  if (!idx) throw input_error(source, where + ": unknown AU '" + j.get<std::string>() + "'");
  return *idx;
}

int landmark(const json& j, const std::string& source, const std::string& where) {
  if (!j.is_number_integer() || j.get<int>() < 0 || j.get<int>() >= kMeshPoints)
    throw input_error(source, where + ": landmark index 0.." + std::to_string(kMeshPoints - 1) + " expected");
  return j.get<int>();
}

FaceSide parse_side(const json& j, const std::string& source, const std::string& where) {
  std::string s = j.get<std::string>();
  if (s == "left") return FaceSide::left;
  if (s == "right") return FaceSide::right;
  if (s == "both") return FaceSide::both;
  throw input_error(source, where + ": side must be left, right or both");
}

HandleRegion parse_region(const std::string& s, const std::string& source, const std::string& where) {
  if (s == "any") return HandleRegion::any;
  if (s == "mouth_upper") return HandleRegion::mouth_upper;
  if (s == "mouth_lower") return HandleRegion::mouth_lower;
  if (s == "eye_upper") return HandleRegion::eye_upper;
  if (s == "eye_lower") return HandleRegion::eye_lower;
  throw input_error(source, where + ": unknown region '" + s + "'");
}

std::vector<std::pair<int, int>> parse_pairs(const json& c, const char* key, const std::string& source) {
  std::vector<std::pair<int, int>> out;
  if (!c.contains(key)) throw input_error(source, std::string("constraints.") + key + " missing");
  for (const auto& p : c.at(key)) {
    if (!p.is_array() || p.size() != 2) throw input_error(source, std::string("constraints.") + key + ": pairs expected");
    out.emplace_back(landmark(p[0], source, key), landmark(p[1], source, key));
  }
  return out;
}

// Wendland C2 kernel, support [0, 1).
float wendland(float r) {
  if (r >= 1) return 0;
  float a = 1 - r;
  return a * a * a * a * (4 * r + 1);
}

// y of a polyline (points sorted by x) at x, clamped beyond its ends.
float line_y(const std::vector<cv::Point2f>& line, float x) {
  if (x <= line.front().x) return line.front().y;
  if (x >= line.back().x) return line.back().y;
  for (size_t i = 1; i < line.size(); ++i)
    if (x <= line[i].x) {
      float t = (x - line[i - 1].x) / std::max(1e-6f, line[i].x - line[i - 1].x);
      return line[i - 1].y + t * (line[i].y - line[i - 1].y);
    }
  return line.back().y;
}

// Mid-line between paired upper/lower points, sorted by x.
std::vector<cv::Point2f> mid_line(const std::vector<cv::Point3f>& v, const std::vector<std::pair<int, int>>& pairs,
                                  std::initializer_list<int> ends) {
  std::vector<cv::Point2f> line;
  for (auto [u, l] : pairs) line.emplace_back((v[u].x + v[l].x) / 2, (v[u].y + v[l].y) / 2);
  for (int e : ends) line.emplace_back(v[e].x, v[e].y);
  std::sort(line.begin(), line.end(), [](auto a, auto b) { return a.x < b.x; });
  return line;
}

// Per-vertex weights of the regions, from the canonical mesh.
struct RegionWeights {
  std::vector<float> mouth_upper, eye_upper;  // lower = 1 − upper
  float weight(HandleRegion r, int v) const {
    switch (r) {
      case HandleRegion::any: return 1.f;
      case HandleRegion::mouth_upper: return mouth_upper[v];
      case HandleRegion::mouth_lower: return 1.f - mouth_upper[v];
      case HandleRegion::eye_upper: return eye_upper[v];
      case HandleRegion::eye_lower: return 1.f - eye_upper[v];
    }
    return 1.f;
  }
};

RegionWeights region_weights(const AuBasis& b, const std::vector<cv::Point3f>& cv_) {
  RegionWeights w;
  const auto& c = b.constraints;
  auto mouth = mid_line(cv_, c.lip_inner, {78, 308});
  auto eye_l = mid_line(cv_, c.eyelids[0], {263, 362});
  auto eye_r = mid_line(cv_, c.eyelids[1], {33, 133});
  float bw = b.region_blend_cm;
  for (int i = 0; i < kMeshPoints; ++i) {
    const auto& p = cv_[i];
    // The blend widens away from the mouth's ends so that the cheeks change gradually.
    float beyond = std::max(0.f, std::abs(p.x) - std::max(std::abs(mouth.front().x), std::abs(mouth.back().x)));
    float mw = bw + 0.5f * beyond;
    w.mouth_upper.push_back(smoothstep(-mw, mw, p.y - line_y(mouth, p.x)));
    const auto& eye = p.x >= 0 ? eye_l : eye_r;
    w.eye_upper.push_back(smoothstep(-bw, bw, p.y - line_y(eye, p.x)));
  }
  // The contours that define the lines belong to their side outright.
  for (auto [u, l] : c.lip_inner) { w.mouth_upper[u] = 1; w.mouth_upper[l] = 0; }
  for (const auto& side : c.eyelids)
    for (auto [u, l] : side) { w.eye_upper[u] = 1; w.eye_upper[l] = 0; }
  return w;
}

float side_weight(FaceSide s, float x, float blend, float shift = 0) {
  if (s == FaceSide::left) return smoothstep(shift - blend, shift + blend, x);
  if (s == FaceSide::right) return smoothstep(shift - blend, shift + blend, -x);
  return 1.f;
}

AuHandle mirrored(const AuHandle& h, const std::vector<int>& mirror) {
  AuHandle m = h;
  m.at = mirror[h.at];
  if (h.meet >= 0) m.meet = mirror[h.meet];
  m.d[0] = -h.d[0];
  return m;
}

FaceSide mirrored(FaceSide s) {
  return s == FaceSide::left ? FaceSide::right : s == FaceSide::right ? FaceSide::left : s;
}

// The handles of an AU with mirror_of and symmetric resolved.
std::vector<AuHandle> resolved_handles(const AuBasis& b, int k, const std::vector<int>& mirror, FaceSide& side) {
  const auto& e = b.aus[k];
  std::vector<AuHandle> hs;
  if (e.mirror_of >= 0) {
    FaceSide src_side;
    for (const auto& h : resolved_handles(b, e.mirror_of, mirror, src_side)) hs.push_back(mirrored(h, mirror));
    side = mirrored(src_side);
    return hs;
  }
  side = e.side;
  hs = e.handles;
  if (e.symmetric)
    for (const auto& h : e.handles)
      if (mirror[h.at] != h.at) hs.push_back(mirrored(h, mirror));
  return hs;
}

std::vector<cv::Vec3f> spread(const std::vector<AuHandle>& hs, FaceSide side, const AuBasis& b,
                              const std::vector<cv::Point3f>& canon, const std::vector<cv::Point3f>& rest,
                              const RegionWeights& rw, float side_shift = 0) {
  std::vector<cv::Vec3f> d(hs.size());
  for (size_t h = 0; h < hs.size(); ++h) {
    if (hs[h].meet >= 0) {
      cv::Point3f m = (rest[hs[h].meet] - rest[hs[h].at]) * hs[h].f;
      d[h] = cv::Vec3f(m.x, m.y, m.z);
    } else {
      d[h] = hs[h].d;
    }
  }
  std::vector<cv::Vec3f> field(kMeshPoints, cv::Vec3f(0, 0, 0));
  for (int v = 0; v < kMeshPoints; ++v) {
    cv::Vec3f anchored(0, 0, 0);
    int anchors = 0;
    for (size_t h = 0; h < hs.size(); ++h)
      if (hs[h].at == v) { anchored += d[h]; ++anchors; }
    if (anchors) {  // an anchor moves by exactly its handle
      field[v] = anchored / float(anchors);
      continue;
    }
    float sw = side_weight(side, canon[v].x, b.side_blend_cm, side_shift);
    if (sw <= 0) continue;
    float wsum = 0;
    cv::Vec3f acc(0, 0, 0);
    for (size_t h = 0; h < hs.size(); ++h) {
      cv::Point3f diff = canon[v] - canon[hs[h].at];
      float r = std::sqrt(diff.dot(diff)) / hs[h].radius;
      float w = wendland(r);
      if (w <= 0) continue;
      w *= rw.weight(hs[h].region, v);
      wsum += w;
      acc += w * d[h];
    }
    if (wsum > 0) field[v] = sw * acc / std::max(1.f, wsum);
  }
  return field;
}

std::vector<AuHandle> parse_handles(const json& handles, const std::string& source, const std::string& where) {
  std::vector<AuHandle> out;
  for (const auto& h : handles) {
    AuHandle hd;
    hd.at = landmark(h.at("at"), source, where);
    std::string hw = where + " handle at " + std::to_string(hd.at);
    if (h.contains("meet")) {
      hd.meet = landmark(h["meet"], source, hw);
      hd.f = h.at("f").get<float>();
    } else {
      const auto& d = h.at("d");
      if (!d.is_array() || d.size() != 3) throw input_error(source, hw + ": d must be [x, y, z]");
      hd.d = cv::Vec3f(d[0].get<float>(), d[1].get<float>(), d[2].get<float>());
    }
    hd.radius = h.at("r").get<float>();
    if (!(hd.radius > 0)) throw input_error(source, hw + ": r must be > 0");
    if (h.contains("region")) hd.region = parse_region(h["region"].get<std::string>(), source, hw);
    out.push_back(hd);
  }
  return out;
}

}  // namespace

AuBasis AuBasis::parse(const std::string& text, const std::string& source) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    throw input_error(source, std::string("not valid JSON: ") + e.what());
  }
  AuBasis b;
  try {
    b.side_blend_cm = j.value("side_blend_cm", 0.4f);
    b.region_blend_cm = j.value("region_blend_cm", 0.1f);
    for (const auto& a : j.at("aus")) {
      int k = au_index(a.at("au"), source, "aus");
      std::string where = "AU " + std::string(au_info(k).name);
      auto& e = b.aus[k];
      if (e.defined) throw input_error(source, where + " defined twice");
      e.defined = true;
      if (a.contains("mirror_of")) {
        e.mirror_of = au_index(a["mirror_of"], source, where);
        continue;
      }
      if (a.contains("side")) e.side = parse_side(a["side"], source, where);
      e.symmetric = a.value("symmetric", false);
      e.midline_travel = a.value("midline_travel", 0.f);
      e.side_shift_cm = a.value("side_shift_cm", 0.f);
      if (!(std::abs(e.side_shift_cm) <= 5)) throw input_error(source, where + ": side_shift_cm must be within ±5");
      if (!(e.midline_travel >= 0 && e.midline_travel <= 1))
        throw input_error(source, where + ": midline_travel must be in [0, 1]");
      e.handles = parse_handles(a.at("handles"), source, where);
    }
    for (int k = 0; k < kNumAus; ++k) {
      if (!b.aus[k].defined) throw input_error(source, "AU " + std::string(au_info(k).name) + " has no entry");
      int m = b.aus[k].mirror_of;
      if (m >= 0 && (b.aus[m].mirror_of >= 0))
        throw input_error(source, "AU " + std::string(au_info(k).name) + ": mirror_of must name an AU with handles");
    }
    for (const auto& c : j.value("couplings", json::array())) {
      AuCoupling cp;
      cp.from = au_index(c.at("from"), source, "couplings");
      cp.to = au_index(c.at("to"), source, "couplings");
      cp.gain = c.at("gain").get<float>();
      if (c.contains("side")) cp.side = parse_side(c["side"], source, "couplings");
      b.couplings.push_back(cp);
    }
    for (const auto& c : j.value("combinations", json::array())) {
      AuCombination cb;
      const auto& pair = c.at("aus");
      if (!pair.is_array() || pair.size() != 2) throw input_error(source, "combinations: aus must name two AUs");
      cb.a = au_index(pair[0], source, "combinations");
      cb.b = au_index(pair[1], source, "combinations");
      std::string where = "combination " + std::string(au_info(cb.a).name) + " + " + std::string(au_info(cb.b).name);
      cb.gain = config_number(c, "gain", 1.0, 0, 10, source, where + ": ");
      if (c.contains("mirror_of")) {
        cb.mirror_of = c["mirror_of"].get<int>();
        if (cb.mirror_of < 0 || cb.mirror_of >= int(b.combinations.size()) || b.combinations[cb.mirror_of].mirror_of >= 0)
          throw input_error(source, where + ": mirror_of must be the index of an earlier combination with handles");
      } else {
        if (c.contains("side")) cb.side = parse_side(c["side"], source, where);
        cb.handles = parse_handles(c.at("handles"), source, where);
      }
      b.combinations.push_back(cb);
    }
    const auto& c = j.at("constraints");
    b.constraints.lip_inner = parse_pairs(c, "lip_inner", source);
    b.constraints.lip_upper_outer = parse_pairs(c, "lip_upper_outer", source);
    b.constraints.lip_lower_outer = parse_pairs(c, "lip_lower_outer", source);
    b.constraints.eyelids[0] = parse_pairs(c, "eyelids_left", source);
    b.constraints.eyelids[1] = parse_pairs(c, "eyelids_right", source);
    b.constraints.eye_closure[0] = au_index(c.at("eye_closure_left"), source, "constraints");
    b.constraints.eye_closure[1] = au_index(c.at("eye_closure_right"), source, "constraints");
    b.constraints.eyelid_meet = c.at("eyelid_meet").get<float>();
    for (const auto& g : j.at("groups")) {
      AuGroup grp;
      grp.name = g.at("name").get<std::string>();
      for (const auto& a : g.at("aus")) grp.aus.push_back(au_index(a, source, "group " + grp.name));
      b.groups.push_back(grp);
    }
  } catch (const json::exception& e) {
    throw input_error(source, std::string("bad AU basis: ") + e.what());
  }
  return b;
}

AuBasis AuBasis::load(const std::filesystem::path& file) {
  return parse(read_text_file(file), file.string());
}

const AuBasis& AuBasis::standard() {
  static std::once_flag once;
  static AuBasis basis;
  std::call_once(once, [] { basis = load(data_file("au_basis.json")); });
  return basis;
}

std::vector<int> mirror_map(const face::CanonicalFace& canonical) {
  const auto& v = canonical.vertices;
  std::vector<int> m(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    cv::Point3f r(-v[i].x, v[i].y, v[i].z);
    float best = 1e30f;
    for (size_t j = 0; j < v.size(); ++j) {
      cv::Point3f d = v[j] - r;
      float dd = d.dot(d);
      if (dd < best) { best = dd; m[i] = int(j); }
    }
  }
  return m;
}

AuFields compute_au_fields(const AuBasis& basis, const face::CanonicalFace& canonical,
                           const std::vector<cv::Point3f>& rest) {
  if (canonical.vertices.size() != size_t(kMeshPoints) || rest.size() != size_t(kMeshPoints))
    throw std::invalid_argument("compute_au_fields: 468 canonical vertices and rest points needed");
  const auto& canon = canonical.vertices;
  auto mirror = mirror_map(canonical);
  RegionWeights rw = region_weights(basis, canon);
  AuFields f;
  std::array<std::vector<AuHandle>, kNumAus> handles;
  std::array<FaceSide, kNumAus> sides;
  for (int k = 0; k < kNumAus; ++k) {
    handles[k] = resolved_handles(basis, k, mirror, sides[k]);
    const auto& e = basis.aus[k].mirror_of >= 0 ? basis.aus[basis.aus[k].mirror_of] : basis.aus[k];
    f.au[k] = spread(handles[k], sides[k], basis, canon, rest, rw, e.side_shift_cm);
    if (e.midline_travel > 0)
      for (int v = 0; v < kMeshPoints; ++v) {
        float x = canon[v].x,& dx = f.au[k][v][0];
        if (x * dx < 0 || x == 0) dx = std::copysign(std::min(std::abs(dx), e.midline_travel * std::abs(x)), dx);
      }
  }
  for (const auto& c : basis.couplings) {
    auto field = f.au[c.to];
    for (int v = 0; v < kMeshPoints; ++v) field[v] *= side_weight(c.side, canon[v].x, basis.side_blend_cm);
    f.coupling.push_back(std::move(field));
  }
  for (const auto& c : basis.combinations) {
    const auto& src = c.mirror_of >= 0 ? basis.combinations[c.mirror_of] : c;
    std::vector<AuHandle> hs;
    for (const auto& h : src.handles) hs.push_back(c.mirror_of >= 0 ? mirrored(h, mirror) : h);
    auto field = spread(hs, c.mirror_of >= 0 ? mirrored(src.side) : src.side, basis, canon, rest, rw);
    for (auto& v : field) v *= src.gain;  // a mirror takes its source's gain
    f.combination.push_back(std::move(field));
  }
  return f;
}

}  // namespace auhead::geometry
