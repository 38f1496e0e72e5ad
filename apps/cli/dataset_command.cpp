// `auhead dataset`: a Stage 1 training set (chat JSONL, audio, AUs) from talking-face videos (README
// "Training").
#include <cstdio>

#include "auhead/dataset.h"
#include "auhead/error.h"
#include "command.h"

namespace auhead::cli {
namespace {

struct DatasetArgs {
  train::DatasetOptions o;
  std::string videos, manifest, out, emotion_from = "auto";
};

CommandRegistration reg(78, [](CLI::App& app, const GlobalOptions& global) {
  auto a = std::make_shared<DatasetArgs>();
  auto& o = a->o;
  auto* cmd = app.add_subcommand("dataset", "talking-face videos -> a Stage 1 training set (chat JSONL, 16 kHz audio, AUs)");
  cmd->add_option("--videos", a->videos, "a folder of videos (searched recursively)");
  cmd->add_option("--manifest", a->manifest, "or a CSV (header: video[,emotion][,intensity]) or JSON list of clips");
  cmd->add_option("-o,--output", a->out, "output folder: train.jsonl, clips/, au/, skipped.tsv, dataset.json (and stage2/)")->required();
  cmd->add_option("--emotion-from", a->emotion_from, "where labels come from: auto, manifest, mead, crema-d")->capture_default_str();
  cmd->add_option("--max-seconds", o.max_seconds, "longer clips are cut into segments of at most this")->check(finite_range(0.2, 30))->capture_default_str();
  cmd->add_option("--min-seconds", o.min_seconds, "shorter clips and tails are left out")->check(finite_range(0.2, 30))->capture_default_str();
  cmd->add_option("--min-au", o.min_value, "AU values below this are written as 0 (the estimator's noise floor)")->check(finite_range(0, 0.99))->capture_default_str();
  cmd->add_option("--face-index", o.face_index, "which face, 0 = the largest (default)")->check(finite_range(0, 64));
  cmd->add_option("--system-prompt", o.system_prompt, "the samples' system turn (default: Qwen's)");
  cmd->add_option("--instruction", o.instruction, "the samples' user instruction (default: the alm generator's)");
  cmd->add_option("--stage2-size", o.stage2_size,
                  "also write Stage 2 data (face crops, landmark images, AU maps per frame) at this size, e.g. 256")
      ->check(CLI::Range(32, 1024));
  cmd->callback([a, &global] {
    if (a->videos.empty() == a->manifest.empty()) throw usage_error("dataset: give exactly one of --videos and --manifest");
    a->o.emotion_source = train::parse_emotion_source(a->emotion_from);
    a->o.clips = a->videos.empty() ? train::read_dataset_manifest(a->manifest) : train::list_video_folder(a->videos);
    a->o.output_dir = a->out;
    const train::DatasetReport r = train::build_alm_dataset(a->o);
    if (global.quiet) return;
    std::fprintf(stderr, "auhead: %d samples (%.1f min of audio) from %d clips", r.samples, r.audio_seconds / 60, r.clips);
    if (r.resumed > 0) std::fprintf(stderr, ", %d done by an earlier run", r.resumed);
    if (r.stage2_frames > 0) std::fprintf(stderr, "; Stage 2: %lld frames", static_cast<long long>(r.stage2_frames));
    if (!r.skipped.empty()) std::fprintf(stderr, "; %zu skipped (reasons in skipped.tsv)", r.skipped.size());
    std::fprintf(stderr, "\n");
    for (const auto& [clip, why] : r.skipped) std::fprintf(stderr, "auhead: skipped %s: %s\n", printable(clip.string()).c_str(), printable(why).c_str());
  });
});

}  // namespace
}  // namespace auhead::cli
