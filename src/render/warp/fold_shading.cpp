#include "render/warp/fold_shading.h"

#include <algorithm>
#include <cmath>
#include <mutex>

#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include "auhead/error.h"
#include "core/atomic_file.h"
#include "core/data_path.h"
#include "geometry/au_basis.h"

namespace auhead::render::warp {
namespace {

using nlohmann::json;

constexpr int kEyeOuterRight = 33, kEyeOuterLeft = 263;

float number(const json& j, const char* key, float fallback, const std::string& source, const std::string& where) {
  if (!j.contains(key)) return fallback;
  if (!j.at(key).is_number()) throw input_error(source, where + ": '" + key + "' must be a number");
  return j.at(key).get<float>();
}

int landmark(const json& j, const std::string& source, const std::string& where) {
  if (!j.is_number_integer() || j.get<int>() < 0 || j.get<int>() >= geometry::kMeshPoints)
    throw input_error(source, where + ": landmark index 0.." + std::to_string(geometry::kMeshPoints - 1) + " expected");
  return j.get<int>();
}

FoldPoint parse_point(const json& j, const std::string& source, const std::string& where) {
  if (j.is_number_integer()) {
    int a = landmark(j, source, where);
    return {a, a, 0.f};
  }
  if (!j.is_array() || j.size() != 3 || !j[2].is_number())
    throw input_error(source, where + ": a point is a landmark index or [a, b, t]");
  return {landmark(j[0], source, where), landmark(j[1], source, where), j[2].get<float>()};
}

cv::Point2f at(const FoldPoint& p, const std::vector<cv::Point2f>& face) {
  return face[p.a] + (face[p.b] - face[p.a]) * p.t;
}

std::vector<cv::Point2f> fold_points(const Fold& fold, const std::vector<cv::Point2f>& face) {
  std::vector<cv::Point2f> pts;
  for (const auto& p : fold.path) pts.push_back(at(p, face));
  return pts;
}

// The polyline moved by `offset` along its left normal (image coordinates, y down).
std::vector<cv::Point2f> offset_path(const std::vector<cv::Point2f>& p, float offset) {
  std::vector<cv::Point2f> out(p.size());
  for (std::size_t i = 0; i < p.size(); ++i) {
    cv::Point2f d = p[std::min(i + 1, p.size() - 1)] - p[i == 0 ? 0 : i - 1];
    float n = std::max(1e-6f, float(cv::norm(d)));
    out[i] = p[i] + cv::Point2f(d.y, -d.x) * (offset / n);
  }
  return out;
}

// A soft stroke along `pts` in `box`: anti-aliased polyline of `thick` px blurred with `sigma` px,
// as CV_32F in 0..1.
cv::Mat stroke(const std::vector<cv::Point2f>& pts, cv::Rect box, int thick, float sigma) {
  constexpr int kShift = 3;
  std::vector<cv::Point> q;
  for (auto p : pts) q.emplace_back(cvRound((p.x - box.x) * (1 << kShift)), cvRound((p.y - box.y) * (1 << kShift)));
  cv::Mat m(box.size(), CV_8U, cv::Scalar(0));
  cv::polylines(m, std::vector<std::vector<cv::Point>>{q}, false, cv::Scalar(255), thick, cv::LINE_AA, kShift);
  cv::Mat f;
  m.convertTo(f, CV_32F, 1.0 / 255);
  if (sigma > 0.3f) cv::GaussianBlur(f, f, cv::Size(0, 0), sigma);
  return f;
}

// The tiling noise at (u, v) in tile cells, bilinear.
float sample(const cv::Mat& noise, float u, float v) {
  const int n = noise.cols;
  float fu = std::floor(u), fv = std::floor(v), a = u - fu, b = v - fv;
  int x0 = ((int(fu) % n) + n) % n, y0 = ((int(fv) % n) + n) % n, x1 = (x0 + 1) % n, y1 = (y0 + 1) % n;
  return (1 - b) * ((1 - a) * noise.at<float>(y0, x0) + a * noise.at<float>(y0, x1)) +
         b * ((1 - a) * noise.at<float>(y1, x0) + a * noise.at<float>(y1, x1));
}

// Real creases are uneven: the stroke's strength varies along it (0.3..1.3), from the noise tile
// anchored at `origin` with cells of `cell` px, so the pattern moves with the face.
void break_up(cv::Mat& stroke, cv::Rect box, const cv::Mat& noise, cv::Point2f origin, float cell) {
  for (int y = 0; y < stroke.rows; ++y) {
    float* m = stroke.ptr<float>(y);
    for (int x = 0; x < stroke.cols; ++x) {
      if (m[x] <= 0) continue;
      float v = sample(noise, (box.x + x - origin.x) / cell + 7.3f, (box.y + y - origin.y) / cell + 3.1f);
      m[x] *= std::clamp(0.8f + 0.35f * v, 0.3f, 1.3f);
    }
  }
}

// The box around `pts` grown by `margin` px, clipped to the frame.
cv::Rect padded_box(const std::vector<cv::Point2f>& pts, float margin, cv::Size frame) {
  cv::Rect2f b = cv::boundingRect(pts);
  cv::Rect box(int(std::floor(b.x - margin)), int(std::floor(b.y - margin)), int(b.width + 2 * margin) + 1,
               int(b.height + 2 * margin) + 1);
  return box & cv::Rect(0, 0, frame.width, frame.height);
}

// pixel ×= factor, per channel, over `box`.
void multiply(cv::Mat& frame, cv::Rect box, const cv::Mat& factor) {
  for (int y = 0; y < box.height; ++y) {
    auto* px = frame.ptr<cv::Vec3b>(box.y + y) + box.x;
    const float* f = factor.ptr<float>(y);
    for (int x = 0; x < box.width; ++x) {
      if (f[x] == 1.f) continue;
      for (int k = 0; k < 3; ++k) px[x][k] = cv::saturate_cast<uint8_t>(px[x][k] * f[x]);
    }
  }
}

}  // namespace

FoldSet FoldSet::parse(const std::string& json_text, const std::string& source, const std::vector<int>& mirror) {
  json j;
  try {
    j = json::parse(json_text);
  } catch (const json::exception& e) {
    throw input_error(source, std::string("not valid JSON: ") + e.what());
  }
  if (!j.is_object() || !j.contains("folds") || !j.at("folds").is_array())
    throw input_error(source, "a 'folds' array expected");
  FoldSet set;
  for (const auto& f : j.at("folds")) {
    Fold fold;
    if (!f.is_object() || !f.contains("name") || !f.at("name").is_string())
      throw input_error(source, "every fold needs a 'name'");
    fold.name = f.at("name").get<std::string>();
    const std::string where = "fold '" + fold.name + "'";
    if (!f.contains("aus") || !f.at("aus").is_object() || f.at("aus").empty())
      throw input_error(source, where + ": 'aus' must map AU names to gains");
    for (const auto& [name, gain] : f.at("aus").items()) {
      auto idx = find_au(name);
      if (!idx) throw input_error(source, where + ": unknown AU '" + name + "'");
      if (!gain.is_number()) throw input_error(source, where + ": the gain of " + name + " must be a number");
      fold.aus.emplace_back(*idx, gain.get<float>());
    }
    std::string type = f.value("type", "crease");
    if (type != "crease" && type != "texture") throw input_error(source, where + ": type must be crease or texture");
    fold.texture = type == "texture";
    if (!f.contains("path") || !f.at("path").is_array()) throw input_error(source, where + ": 'path' array expected");
    for (const auto& p : f.at("path")) fold.path.push_back(parse_point(p, source, where));
    if (fold.path.size() < (fold.texture ? 1u : 2u))
      throw input_error(source, where + (fold.texture ? ": the texture needs its centre" : ": a crease needs 2 points or more"));
    fold.onset = number(f, "onset", 0.f, source, where);
    fold.width = number(f, "width", fold.width, source, where);
    fold.blur = number(f, "blur", fold.blur, source, where);
    fold.dark = number(f, "dark", fold.dark, source, where);
    fold.light = number(f, "light", 0.f, source, where);
    fold.light_offset = number(f, "light_offset", 0.f, source, where);
    fold.radius_x = number(f, "radius_x", 0.3f, source, where);
    fold.radius_y = number(f, "radius_y", 0.2f, source, where);
    if (f.contains("flatten") && !f.at("flatten").is_boolean()) throw input_error(source, where + ": 'flatten' must be true or false");
    fold.flatten = f.value("flatten", true);
    if (fold.onset < 0 || fold.onset >= 1) throw input_error(source, where + ": onset must be in [0, 1)");
    if (fold.dark < 0 || fold.dark > 0.9f || fold.light < 0 || fold.light > 0.9f)
      throw input_error(source, where + ": dark and light must be in [0, 0.9]");
    if (fold.width <= 0 || fold.blur < 0 || fold.radius_x <= 0 || fold.radius_y <= 0)
      throw input_error(source, where + ": width and radii must be > 0, blur ≥ 0");
    if (f.value("mirror", false)) {
      if (mirror.size() != std::size_t(geometry::kMeshPoints))
        throw input_error(source, where + ": a mirrored fold needs the face mesh's left-right map");
      Fold other = fold;
      fold.name += "_left";
      other.name += "_right";
      for (auto& [au, gain] : other.aus) au = au_info(au).mirror >= 0 ? au_info(au).mirror : au;
      for (auto& p : other.path) p.a = mirror[p.a], p.b = mirror[p.b];
      other.light_offset = -other.light_offset;
      set.folds.push_back(std::move(fold));
      set.folds.push_back(std::move(other));
    } else {
      set.folds.push_back(std::move(fold));
    }
  }
  return set;
}

FoldSet FoldSet::load(const std::filesystem::path& file, const std::vector<int>& mirror) {
  return parse(read_text_file(file), file.string(), mirror);
}

const FoldSet& FoldSet::standard() {
  static std::once_flag once;
  static FoldSet set;
  std::call_once(once, [] { set = load(data_file("fold_shading.json"), geometry::mirror_map(face::CanonicalFace::standard())); });
  return set;
}

FoldShading::FoldShading(const FoldSet& set) : set_(&set) {
  // A dimple pattern: blurred white noise, zero mean, unit RMS, fixed seed (the same on every run).
  constexpr int kN = 48, kPad = 6;
  cv::Mat n(kN, kN, CV_32F), padded;
  cv::RNG rng(0x5eed);
  rng.fill(n, cv::RNG::NORMAL, 0, 1);
  cv::copyMakeBorder(n, padded, kPad, kPad, kPad, kPad, cv::BORDER_WRAP);  // blurred as a tile
  cv::GaussianBlur(padded, padded, cv::Size(0, 0), 1.2);
  n = padded(cv::Rect(kPad, kPad, kN, kN)).clone();
  cv::Scalar mean, sd;
  cv::meanStdDev(n, mean, sd);
  noise_ = (n - mean[0]) / std::max(1e-6, sd[0]);
}

void FoldShading::flatten(cv::Mat& framed, const std::vector<cv::Point2f>& face, const AuFrame& own) const {
  if (face.size() < std::size_t(geometry::kMeshPoints)) return;
  const float iod = float(cv::norm(face[kEyeOuterRight] - face[kEyeOuterLeft]));
  if (iod < 4) return;
  for (const Fold& fold : set_->folds) {
    if (fold.texture || !fold.flatten) continue;
    const float w = weight(fold, own);
    if (w < 0.05f) continue;
    const std::vector<cv::Point2f> pts = fold_points(fold, face);
    // A band three times the crease's width (the photo's fold is near, not exactly on, the path).
    const float sigma = 2 * fold.blur * iod, local = 0.1f * iod;
    const int thick = std::max(2, int(std::lround(3 * fold.width * iod)));
    const cv::Rect box = padded_box(pts, thick + 3 * std::max(sigma, local) + 2, framed.size());
    if (box.area() <= 0) continue;
    cv::Mat band = stroke(pts, box, thick, sigma);
    cv::Mat roi = framed(box), img, mean;
    roi.convertTo(img, CV_32FC3);
    cv::GaussianBlur(img, mean, cv::Size(0, 0), local);
    const float k = std::min(1.f, w) * 0.9f;
    for (int y = 0; y < box.height; ++y) {
      const float* m = band.ptr<float>(y);
      const auto* pi = img.ptr<cv::Vec3f>(y);
      const auto* pm = mean.ptr<cv::Vec3f>(y);
      auto* out = roi.ptr<cv::Vec3b>(y);
      for (int x = 0; x < box.width; ++x) {
        if (m[x] <= 0.01f) continue;
        const float li = pi[x][0] + pi[x][1] + pi[x][2], lm = pm[x][0] + pm[x][1] + pm[x][2];
        if (li >= lm || lm <= 1) continue;  // only what is darker than its surroundings: the crease
        // Toward the surroundings' colour, by how much darker than them the pixel is.
        const float a = k * m[x] * std::min(1.f, 4 * (lm - li) / lm);
        for (int c = 0; c < 3; ++c) out[x][c] = cv::saturate_cast<uint8_t>(pi[x][c] + (pm[x][c] - pi[x][c]) * a);
      }
    }
  }
}

float FoldShading::weight(const Fold& fold, const AuFrame& aus) {
  float w = 0;
  for (const auto& [au, gain] : fold.aus) w += gain * aus[au];
  w = std::clamp(w, 0.f, 1.f);
  return fold.onset > 0 ? std::max(0.f, (w - fold.onset) / (1 - fold.onset)) : w;
}

void FoldShading::compose(cv::Mat& frame, const std::vector<cv::Point2f>& face, const AuFrame& aus) const {
  if (face.size() < std::size_t(geometry::kMeshPoints)) return;
  const float iod = float(cv::norm(face[kEyeOuterRight] - face[kEyeOuterLeft]));
  if (iod < 4) return;
  const cv::Rect frame_box(0, 0, frame.cols, frame.rows);
  for (const Fold& fold : set_->folds) {
    float w = weight(fold, aus);
    if (w < 0.01f) continue;
    const std::vector<cv::Point2f> pts = fold_points(fold, face);
    if (fold.texture) {
      const float rx = fold.radius_x * iod, ry = fold.radius_y * iod;
      cv::Rect box(int(std::floor(pts[0].x - rx)), int(std::floor(pts[0].y - ry)), int(2 * rx) + 2, int(2 * ry) + 2);
      const cv::Rect clipped = box & frame_box;
      if (clipped.area() <= 0) continue;
      // Dimples of the skin's scale, not the image's: round cells of 0.02 inter-ocular distances
      // (about 1.3 mm), anchored at the patch centre so they move with the chin. Pits darken; the
      // skin between them lightens at a third of that, so a bright, smooth chin does not turn grainy.
      const float cell = 0.02f * iod;
      cv::Mat factor(clipped.size(), CV_32F);
      for (int y = 0; y < clipped.height; ++y)
        for (int x = 0; x < clipped.width; ++x) {
          float ox = clipped.x + x + 0.5f - pts[0].x, oy = clipped.y + y + 0.5f - pts[0].y;
          float dx = ox / rx, dy = oy / ry;
          float r2 = dx * dx + dy * dy, fall = r2 < 1 ? (1 - r2) * (1 - r2) : 0.f;
          float v = std::clamp(sample(noise_, ox / cell + 11.7f, oy / cell + 5.3f), -2.5f, 2.5f);
          factor.at<float>(y, x) = 1 - fold.dark * w * fall * 0.4f * (v > 0 ? v : v / 3);
        }
      multiply(frame, clipped, factor);
      continue;
    }

    const float sigma = fold.blur * iod, off = fold.light_offset * iod;
    const int thick = std::max(1, int(std::lround(fold.width * iod)));
    std::vector<cv::Point2f> bulge = fold.light > 0 ? offset_path(pts, off) : std::vector<cv::Point2f>{};
    std::vector<cv::Point2f> all = pts;
    all.insert(all.end(), bulge.begin(), bulge.end());
    const cv::Rect box = padded_box(all, thick + 3 * sigma * (fold.light > 0 ? 2 : 1) + 2, frame.size());
    if (box.area() <= 0) continue;
    cv::Mat crease = stroke(pts, box, thick, sigma);
    break_up(crease, box, noise_, pts[0], 0.06f * iod);
    cv::Mat factor = 1.f - crease * (fold.dark * w);
    if (fold.light > 0) {
      cv::Mat hi = stroke(bulge, box, std::max(1, int(std::lround(std::abs(off)))), 2 * sigma);
      factor = factor.mul(1.f + hi * (fold.light * w));
    }
    multiply(frame, box, factor);
  }
}

}  // namespace auhead::render::warp
