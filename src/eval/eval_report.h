// `auhead eval`: scores a generated video — AU accuracy (AUs measured from the frames' face mesh, or
// a predicted AU file, against ground truth), lip sync, emotion (face-api expression net), identity
// and stability — into one report, as JSON and as a terminal summary; also over a batch manifest.
#pragma once
#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "auhead/au_sequence.h"
#include "auhead/evaluation.h"  // EvalOptions
#include "eval/au_metrics.h"
#include "eval/expression_net.h"
#include "eval/lipsync_metrics.h"
#include "media/video_reader.h"

namespace auhead::eval {

struct EmotionResult {
  bool available = false;
  std::string note;                          // why it is unavailable, or mapping caveats
  ExpressionProbs mean_probs{};              // over frames with a face
  int predicted_class = 0;                   // argmax of mean_probs (face-api order)
  std::array<int, kExpressionClasses> votes{};  // per-frame argmax counts
  std::optional<Emotion> requested;
  double accuracy = 0;                       // fraction of frames whose class is the requested one; NaN for contempt
  bool correct = false;                      // predicted class maps to the requested label
};

struct IdentityMetrics {
  bool has_portrait = false;
  double psnr = 0, ssim = 0;                 // mean over frames, outside the animated region, vs the aligned portrait
  double psnr_min = 0, ssim_min = 0;
  double static_fraction = 0;                // share of the frame compared
  std::string portrait_alignment;            // "warp framing" or "landmark fit"
  double flicker_static = 0, flicker_static_max = 0;  // mean |frame t − frame t−1| outside the animated region (0..255)
  double flicker_face = 0;                   // the same inside it (includes the intended motion)
  double landmark_jitter = 0;                // second difference of the landmarks / inter-ocular distance
};

struct EvalReport {
  std::string video;
  media::VideoInfo info;
  int frames = 0;
  int faces_found = 0;                       // frames where a face was found
  std::string reference;                     // the neutral the AUs are read from (EvalOptions::portrait)
  std::string landmark_model;                // the face mesh that read the frames ("attention" / "face_mesh")
  AuSequence measured;                       // all 30 AUs, by the AU estimator
  std::vector<double> mouth_opening;         // cm per frame (NaN: no face)
  std::optional<AuMetrics> au;               // vs the truth
  std::string au_compared;                   // "measured" or the --au-pred file
  std::optional<LipSyncMetrics> lipsync;
  std::string lipsync_note;
  std::optional<IdentityMetrics> identity;
  std::optional<EmotionResult> emotion;
  double seconds = 0;                        // evaluation time
};

EvalReport evaluate(const EvalOptions& options);
nlohmann::json report_to_json(const EvalReport& r);
std::string report_summary(const EvalReport& r);

// Batch manifest: {"videos": [{"video": "a.mp4", "audio": ..., "portrait": ..., "au_truth": ...,
// "au_pred": ..., "emotion": "happy"}, ...]}; relative paths are relative to the manifest's folder.
// `defaults` supplies the settings (phones, expression, ...) for every entry.
std::vector<EvalOptions> read_manifest(const std::filesystem::path& manifest, const EvalOptions& defaults);

struct BatchReport {
  std::vector<EvalReport> reports;
  // Rows: requested emotion (our 8 labels), columns: predicted (our labels; contempt never predicted).
  std::array<std::array<int, kNumEmotions>, kNumEmotions> confusion{};
  int emotion_scored = 0, emotion_correct = 0;
};
BatchReport aggregate(std::vector<EvalReport> reports);
nlohmann::json batch_to_json(const BatchReport& b);
std::string batch_summary(const BatchReport& b);

}  // namespace auhead::eval
