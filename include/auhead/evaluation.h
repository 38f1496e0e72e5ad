// Scoring a generated video (`auhead eval`): AU accuracy (all 30 AUs measured from the frames' face
// mesh with the AU estimator, or a predicted AU file, against ground truth), lip sync, emotion (face-api's
// expression net), identity and stability, as one JSON report and a terminal summary; also a batch of
// videos from a manifest, with the emotion confusion matrix.
#pragma once
#include <filesystem>
#include <optional>
#include <string>

#include "auhead/au_sequence.h"
#include "auhead/run_hooks.h"

namespace auhead::eval {

struct EvalOptions {
  std::filesystem::path video;     // required unless both au_truth and au_pred are given
  std::filesystem::path audio;     // empty: the video's own audio track, if any
  std::filesystem::path portrait;  // identity reference and neutral face (neutralised as the renderers
                                   // do); empty: the video's least expressive frames are its neutral
  bool portrait_expression_kept = false;  // the video was rendered with --keep-portrait-expression
  std::filesystem::path au_truth;  // ground-truth AU file (JSON, CSV, OpenFace CSV)
  std::filesystem::path au_pred;   // compare this AU file with au_truth instead of measured AUs
  std::optional<Emotion> emotion;  // requested emotion; empty: the truth file's label, if any
  std::string phones = "fast";     // phone timeline for lip sync: fast | accurate | none
  bool expression = true;          // run the expression net (skipped with a note when not installed)
  std::filesystem::path plots_dir; // PNG plots of the measured AUs and lip sync; empty: none
  int max_frames = 0;              // 0: all
  double region_grow = 1.6;        // the animated region: face-mesh hull scaled by this
};

// Scores options.video — or, when `batch` is given, every video of that manifest
// ({"videos": [{"video": ..., "emotion": ...}, ...]}, `options` giving the defaults) — writes the JSON
// report to `report` atomically and returns the summary the command line prints. A warning (the
// expression net not installed) goes to hooks.log.
std::string evaluate_to_file(const EvalOptions& options, const std::filesystem::path& report,
                             const std::filesystem::path& batch = {}, const RunHooks& hooks = {});

}  // namespace auhead::eval
