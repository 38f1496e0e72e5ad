// Stage 2 training data of one clip (`auhead dataset --stage2-size S`): per video frame the aligned
// face crop at the training size, its landmark image and its AU region maps, written as safetensors
// shards that a trainer streams (mmap) frame by frame. One fixed crop per clip (around the median of
// its landmarks), so the head's motion stays in the frames, as the pose guider expects.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "au_estimation/media_aus.h"

namespace auhead::train {

struct RenderShardOptions {
  int size = 256;             // crop side (pixels); the AU maps are a quarter of it
  int frames_per_shard = 64;  // frames in one shard file
};

// Reads `video` again (its frames) with what `read` found in it (AUs and landmarks per frame) and
// writes DIR/<id>-NNNNN.safetensors, each with
//   "frames"    uint8   [N, S, S, 3]   the face crop, RGB
//   "landmarks" uint8   [N, S, S, 3]   the landmark image of the same frame (black background)
//   "au_maps"   uint8   [N, S/4, S/4, G] the AU region maps (0..255), one channel per AU group
//   "aus"       float32 [N, 30]        the frame's AUs (auhead30 order)
//   "points"    float32 [N, 468, 3]    the landmarks in crop pixels (z scaled alike)
// and metadata (fps, size, groups, first frame index, the video), then DIR/<id>.json listing the
// shards. Frames without a face take the landmarks of the nearest frame that has one. Returns the
// number of frames written. Input errors name the video (it changed since it was read, or is damaged).
int write_render_shards(const std::filesystem::path& video, const au_estimation::MediaAus& read,
                        const std::filesystem::path& dir, const std::string& id, const RenderShardOptions& options);

}  // namespace auhead::train
