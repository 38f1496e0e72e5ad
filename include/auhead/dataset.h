// `auhead dataset`: a Stage 1 training set from talking-face videos. Each clip gives 16 kHz mono audio,
// its AU sequence (read from the face by the AU estimator) and an emotion label (manifest, or MEAD /
// CREMA-D names). Clips longer than one Qwen2-Audio window are cut into segments. The result is a chat
// JSONL that `auhead train alm` (and ms-swift / LLaMA-Factory) reads. Resumable; bad clips are skipped
// and listed, never silently.
#pragma once
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "auhead/au_sequence.h"

namespace auhead::train {

enum class EmotionSource { automatic, manifest, mead, crema_d };
// "auto", "manifest", "mead", "crema-d"; anything else is a usage error.
EmotionSource parse_emotion_source(const std::string& name);

// MEAD's layout: .../<emotion>/level_<1|2|3>/NNN.mp4 (e.g. M003/video/front/angry/level_2/001.mp4);
// levels 1, 2, 3 give intensity 0.33, 0.67, 1.0.
std::optional<EmotionState> emotion_from_mead_path(const std::filesystem::path& video);
// CREMA-D's names: <actor>_<sentence>_<ANG|DIS|FEA|HAP|NEU|SAD>_<LO|MD|HI|XX>.<ext> (e.g.
// 1001_DFA_ANG_XX.flv); LO, MD, HI, XX give intensity 0.33, 0.67, 1.0, 0.67 (XX: unspecified).
std::optional<EmotionState> emotion_from_crema_d_name(const std::filesystem::path& video);

struct DatasetClip {
  std::filesystem::path video;
  std::string id;                       // file-name-safe and unique: the path below the folder/manifest
  std::optional<EmotionState> emotion;  // from the manifest, if it has the column
};

// The clips to read: every video under `dir` (recursively; .mp4 .mov .mkv .avi .flv .webm .m4v .mpg),
// sorted; or the rows of a manifest: CSV with a header holding `video` and optionally `emotion` and
// `intensity` (no quoted fields), or JSON [{"video": ..., "emotion": ..., "intensity": ...}]. Paths
// are relative to the manifest's folder. A malformed manifest is an input error naming file and line.
std::vector<DatasetClip> list_video_folder(const std::filesystem::path& dir);
std::vector<DatasetClip> read_dataset_manifest(const std::filesystem::path& manifest);

struct DatasetOptions {
  std::vector<DatasetClip> clips;
  std::filesystem::path output_dir;
  EmotionSource emotion_source = EmotionSource::automatic;
  double max_seconds = 30;  // longer clips are cut into segments of at most this (≤ 30 s)
  double min_seconds = 1;   // shorter clips (and last segments) are skipped
  int face_index = -1;
  float min_value = 0.05f;  // AU values below are written as 0: the estimator's noise floor, kept out of answers
  std::string system_prompt, instruction;  // empty: the alm defaults
  int stage2_size = 0;      // > 0: also the Stage 2 data at this crop size, in OUT/stage2/ (README "Training")
};

struct DatasetReport {
  int clips = 0;     // clips given
  int samples = 0;   // chat samples in train.jsonl
  int resumed = 0;   // clips taken from an earlier run
  double audio_seconds = 0;
  int64_t stage2_frames = 0;  // frames written as Stage 2 data (this run's clips)
  std::vector<std::pair<std::filesystem::path, std::string>> skipped;  // clip, reason
};

// Writes OUT/clips/<id>[_<k>].wav (16 kHz mono), OUT/au/<id>.json (the clip's AUs at the video rate),
// with stage2_size OUT/stage2/<id>-NNNNN.safetensors + <id>.json (per frame: face crop, landmark image,
// AU region maps), OUT/train.jsonl (one chat sample per segment, answers at 5 AU frames per second), OUT/skipped.tsv
// (clip, reason) and OUT/dataset.json (counts and settings). Each clip's result is kept under
// OUT/.done/ as it finishes, so a run stopped half way resumes with the clips it has not done; a
// skipped clip is retried. `on_clip` (may be empty) sees each clip as it is finished.
DatasetReport build_alm_dataset(const DatasetOptions& options,
                                const std::function<void(const std::filesystem::path&, const std::string&)>& on_clip = {});

}  // namespace auhead::train
