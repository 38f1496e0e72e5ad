// The Stage 2 training set that `auhead dataset --stage2-size S` writes (render_shards.h), read frame by
// frame for `auhead train render`: every clip's index (stage2/<clip>.json) and every shard it lists are
// checked when the set is opened, so a damaged set fails before training starts, naming the file.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace auhead {
class SafetensorsFile;
}

namespace auhead::train {

struct RenderFrame {
  torch::Tensor image;      // (3, S, S) float in [0, 1]: the face crop
  torch::Tensor landmarks;  // (3, S, S) float in [0, 1]: its landmark image
  torch::Tensor aus;        // (30) float: its AUs
};

class RenderFrameSet {
 public:
  // `data`: a dataset folder (with stage2/), its stage2/ folder, or one clip's index JSON. No index, an
  // index or shard that is not what `auhead dataset` writes, or clips of different sizes: input errors.
  explicit RenderFrameSet(const std::filesystem::path& data);
  ~RenderFrameSet();

  int size() const { return size_; }  // the frames' side S
  int64_t frames() const { return int64_t(frame_clip_.size()); }
  int clips() const { return int(clips_.size()); }
  int clip_frames(int clip) const { return clips_[std::size_t(clip)].frames; }
  // Frame k of the whole set (clips in name order) as (clip, frame of the clip).
  std::pair<int, int> locate(int64_t k) const { return frame_clip_[std::size_t(k)]; }
  RenderFrame frame(int clip, int index) const;
  // A fingerprint of the indexes, for a resumed run to check it reads the same set.
  const std::string& fingerprint() const { return fingerprint_; }

 private:
  struct Shard {
    std::shared_ptr<SafetensorsFile> file;
    int first = 0, count = 0;
  };
  struct Clip {
    std::string id;
    int frames = 0;
    std::vector<Shard> shards;
  };
  int size_ = 0;
  std::vector<Clip> clips_;
  std::vector<std::pair<int, int>> frame_clip_;
  std::string fingerprint_;
};

}  // namespace auhead::train
