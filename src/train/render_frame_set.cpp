#include "train/render_frame_set.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "auhead/au.h"
#include "auhead/error.h"
#include "core/json_text.h"
#include "checkpoint/safetensors.h"
#include "train/checkpoint_folders.h"

namespace auhead::train {

namespace fs = std::filesystem;

namespace {

void expect_shape(const SafetensorsFile& f, const std::string& name, torch::ScalarType dtype, const std::vector<int64_t>& shape) {
  if (!f.contains(name)) throw input_error(f.path().string(), "no tensor '" + name + "' (not a Stage 2 shard of `auhead dataset`)");
  if (f.dtype(name) != dtype || f.shape(name) != shape) {
    std::string want;
    for (auto d : shape) want += (want.empty() ? "" : ", ") + std::to_string(d);
    throw input_error(f.path().string(), "tensor '" + name + "' is not " + std::string(c10::toString(dtype)) + " [" + want + "]");
  }
}

}  // namespace

RenderFrameSet::~RenderFrameSet() = default;

RenderFrameSet::RenderFrameSet(const fs::path& data) {
  std::error_code ec;
  std::vector<fs::path> indexes;
  if (fs::is_regular_file(data, ec)) {
    indexes.push_back(data);
  } else {
    const fs::path dir = fs::is_directory(data / "stage2", ec) ? data / "stage2" : data;
    if (!fs::is_directory(dir, ec)) throw input_error(data.string(), "no such folder (--data: a dataset written with --stage2-size)");
    for (const auto& e : fs::directory_iterator(dir, ec))
      if (e.path().extension() == ".json" && e.is_regular_file()) indexes.push_back(e.path());
    std::sort(indexes.begin(), indexes.end());
    if (indexes.empty())
      throw input_error(dir.string(), "no Stage 2 clip index (<clip>.json): write the set with `auhead dataset --stage2-size S`");
  }
  for (const auto& index : indexes) {
    const nlohmann::json j = read_json_object_file(index);
    const std::string src = index.string();
    int64_t frames = 0, size = 0;
    if (!j.contains("shards") || !j["shards"].is_array() || !j.contains("frames") ||
        !json_exact_int(j["frames"], 1, 1 << 30, frames) || !j.contains("size") || !json_exact_int(j["size"], 32, 1024, size))
      throw input_error(src, "not a Stage 2 clip index of `auhead dataset` (frames, size, shards)");
    if (size_ == 0) size_ = int(size);
    if (size != size_)
      throw input_error(src, "frames of " + std::to_string(size) + " px where the other clips have " + std::to_string(size_) + " px");
    Clip clip;
    clip.id = index.stem().string();
    for (const auto& name : j["shards"]) {
      if (!name.is_string()) throw input_error(src, "a shard name is not a string");
      const fs::path file = index.parent_path() / name.get<std::string>();
      if (fs::path(name.get<std::string>()).has_parent_path()) throw input_error(src, "shard names must be plain file names");
      auto f = std::make_shared<SafetensorsFile>(file);
      const std::vector<int64_t> aus = f->contains("aus") ? f->shape("aus") : std::vector<int64_t>{};
      if (aus.size() != 2 || aus[0] < 1) throw input_error(file.string(), "no tensor 'aus' [N, 30] (not a Stage 2 shard of `auhead dataset`)");
      const int64_t k = aus[0];
      expect_shape(*f, "aus", torch::kFloat, {k, int64_t(kNumAus)});
      expect_shape(*f, "frames", torch::kByte, {k, size, size, 3});
      expect_shape(*f, "landmarks", torch::kByte, {k, size, size, 3});
      clip.shards.push_back({f, clip.frames, int(k)});
      clip.frames += int(k);
    }
    if (clip.frames != frames)
      throw input_error(src, "lists shards of " + std::to_string(clip.frames) + " frames, says " + std::to_string(frames));
    for (int t = 0; t < clip.frames; ++t) frame_clip_.emplace_back(int(clips_.size()), t);
    fingerprint_ += fnv1a_hex(index);
    clips_.push_back(std::move(clip));
  }
}

RenderFrame RenderFrameSet::frame(int clip, int index) const {
  const Clip& c = clips_.at(std::size_t(clip));
  if (index < 0 || index >= c.frames) throw internal_error("RenderFrameSet: frame out of range");
  const Shard* s = &c.shards.front();
  for (const auto& shard : c.shards)
    if (index >= shard.first) s = &shard;
  const int64_t i = index - s->first;
  auto image = [&](const char* name) {
    return s->file->get(name).select(0, i).permute({2, 0, 1}).to(torch::kFloat).div(255.0);
  };
  RenderFrame out;
  out.image = image("frames");
  out.landmarks = image("landmarks");
  out.aus = s->file->get("aus").select(0, i).clone();
  if (!torch::isfinite(out.aus).all().item<bool>())
    throw input_error(s->file->path().string(), "non-finite AUs in frame " + std::to_string(i));
  return out;
}

}  // namespace auhead::train
