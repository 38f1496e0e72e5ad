#include "train/render_shards.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include "auhead/error.h"
#include "core/atomic_file.h"
#include "checkpoint/safetensors.h"
#include "face/face_analyzer.h"
#include "face/head_pose.h"
#include "geometry/au_deformer.h"
#include "geometry/au_region_maps.h"
#include "geometry/landmark_image.h"
#include "media/video_reader.h"

namespace fs = std::filesystem;

namespace auhead::train {

namespace {

// Per-landmark median over the frames that have a face.
std::vector<cv::Point3f> median_face(const std::vector<std::vector<cv::Point3f>>& frames) {
  std::vector<const std::vector<cv::Point3f>*> have;
  for (const auto& f : frames)
    if (!f.empty()) have.push_back(&f);
  std::vector<cv::Point3f> out((*have.front()).size());
  std::vector<float> xs(have.size()), ys(have.size()), zs(have.size());
  const std::size_t mid = have.size() / 2;
  for (std::size_t v = 0; v < out.size(); ++v) {
    for (std::size_t i = 0; i < have.size(); ++i) xs[i] = (*have[i])[v].x, ys[i] = (*have[i])[v].y, zs[i] = (*have[i])[v].z;
    std::nth_element(xs.begin(), xs.begin() + long(mid), xs.end());
    std::nth_element(ys.begin(), ys.begin() + long(mid), ys.end());
    std::nth_element(zs.begin(), zs.begin() + long(mid), zs.end());
    out[v] = {xs[mid], ys[mid], zs[mid]};
  }
  return out;
}

torch::Tensor as_tensor(const std::vector<uint8_t>& bytes, std::vector<int64_t> shape) {
  return torch::from_blob(const_cast<uint8_t*>(bytes.data()), shape, torch::kUInt8).clone();
}

}  // namespace

int write_render_shards(const fs::path& video, const au_estimation::MediaAus& read, const fs::path& dir,
                        const std::string& id, const RenderShardOptions& o) {
  const std::string name = video.string();
  if (o.size < 32 || o.size > 1024 || o.size % 4) throw usage_error("--stage2-size must be a multiple of 4 in [32, 1024]");
  if (o.frames_per_shard < 1) throw usage_error("frames per shard must be at least 1");
  const int n = int(read.aus.frames.size());
  if (n == 0 || int(read.landmarks.size()) != n) throw input_error(name, "no frames with landmarks to write Stage 2 data from");
  // Landmarks for every frame: frames without a face take the nearest one's.
  std::vector<std::vector<cv::Point3f>> points = read.landmarks;
  std::vector<int> have;
  for (int t = 0; t < n; ++t)
    if (!points[std::size_t(t)].empty()) have.push_back(t);
  if (have.empty()) throw input_error(name, "no face in any frame");
  for (int t = 0; t < n; ++t)
    if (points[std::size_t(t)].empty()) {
      auto it = std::lower_bound(have.begin(), have.end(), t);
      int b = it == have.end() ? have.back() : *it, a = it == have.begin() ? have.front() : *(it - 1);
      points[std::size_t(t)] = points[std::size_t(std::abs(t - a) <= std::abs(b - t) ? a : b)];
    }

  const int S = o.size, M = S / 4;
  const std::vector<cv::Point3f> median = median_face(read.landmarks);
  const cv::Matx23d to_crop = geometry::face_crop_transform(median, cv::Size(S, S));
  const cv::Matx23d to_maps = to_crop * (1.0 / 4.0);
  face::FaceResult rest;
  rest.landmarks = median;
  rest.alignment = face::align_to_canonical(median, face::FaceAnalyzer::shared().canonical());
  const geometry::AuDeformer deformer(rest);
  const geometry::AuRegionMapper mapper(deformer);
  const int G = mapper.channels();
  std::string groups;
  for (const auto& g : mapper.names()) groups += (groups.empty() ? "" : ",") + g;
  const double scale = std::sqrt(std::abs(to_crop(0, 0) * to_crop(1, 1) - to_crop(0, 1) * to_crop(1, 0)));

  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw output_error(dir.string(), "cannot create: " + ec.message());
  media::VideoReader reader(video);
  std::vector<uint8_t> frames, landmarks, maps;
  std::vector<float> aus, pts;
  std::vector<std::string> shards;
  int first = 0, t = 0;
  auto flush = [&] {
    const int k = t - first;
    if (k == 0) return;
    char suffix[16];
    std::snprintf(suffix, sizeof suffix, "-%05d", int(shards.size()));
    const std::string file = id + suffix + ".safetensors";
    TensorMap m;
    m["frames"] = as_tensor(frames, {k, S, S, 3});
    m["landmarks"] = as_tensor(landmarks, {k, S, S, 3});
    m["au_maps"] = as_tensor(maps, {k, M, M, G});
    m["aus"] = torch::from_blob(aus.data(), {k, int64_t(kNumAus)}, torch::kFloat32).clone();
    m["points"] = torch::from_blob(pts.data(), {k, int64_t(points[0].size()), 3}, torch::kFloat32).clone();
    save_safetensors(dir / file, m,
                     {{"fps", std::to_string(read.aus.fps)}, {"size", std::to_string(S)}, {"groups", groups},
                      {"first_frame", std::to_string(first)}, {"video", video.filename().string()}});
    shards.push_back(file);
    frames.clear(), landmarks.clear(), maps.clear(), aus.clear(), pts.clear();
    first = t;
  };
  cv::Mat rgb, crop;
  while (t < n && reader.read(rgb)) {
    const auto& p = points[std::size_t(t)];
    cv::warpAffine(rgb, crop, to_crop, cv::Size(S, S), cv::INTER_AREA, cv::BORDER_REPLICATE);
    frames.insert(frames.end(), crop.datastart, crop.dataend);
    cv::Mat lm = geometry::draw_landmark_image(p, to_crop, cv::Size(S, S), std::max(1, S / 256));
    landmarks.insert(landmarks.end(), lm.datastart, lm.dataend);
    const std::vector<cv::Mat> m = mapper.render(read.aus.frames[std::size_t(t)], p, to_maps, cv::Size(M, M));
    for (int y = 0; y < M; ++y)
      for (int x = 0; x < M; ++x)
        for (int g = 0; g < G; ++g) maps.push_back(cv::saturate_cast<uint8_t>(m[std::size_t(g)].at<float>(y, x) * 255.f));
    aus.insert(aus.end(), read.aus.frames[std::size_t(t)].begin(), read.aus.frames[std::size_t(t)].end());
    for (const auto& q : p) {
      pts.push_back(float(to_crop(0, 0) * q.x + to_crop(0, 1) * q.y + to_crop(0, 2)));
      pts.push_back(float(to_crop(1, 0) * q.x + to_crop(1, 1) * q.y + to_crop(1, 2)));
      pts.push_back(float(q.z * scale));
    }
    ++t;
    if (t - first == o.frames_per_shard) flush();
  }
  if (reader.damaged() || t < n)
    throw input_error(name, "decoded " + std::to_string(t) + " frames for Stage 2 data where " + std::to_string(n) +
                                " were read before (the video changed or is damaged)");
  flush();
  const nlohmann::json index = {{"video", video.string()}, {"frames", n}, {"fps", read.aus.fps}, {"size", S},
                                {"au_map_size", M}, {"groups", mapper.names()}, {"shards", shards},
                                {"missing_faces", n - int(have.size())}};
  write_text_file_atomic(dir / (id + ".json"), index.dump(2) + "\n");
  return n;
}

}  // namespace auhead::train
