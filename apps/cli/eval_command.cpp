// `auhead eval`: measures how good a generated video is — AU accuracy, lip sync, emotion, identity
// and stability — writes a JSON report and prints a summary; `--batch manifest.json` does many.
#include <cstdio>
#include <memory>

#include "auhead/evaluation.h"
#include "command.h"

namespace auhead::cli {
namespace {

struct EvalCliOptions {
  eval::EvalOptions eval;
  std::string emotion, output, batch;
  bool no_emotion = false;
};

CommandRegistration reg(60, [](CLI::App& app, const GlobalOptions& global) {
  auto o = std::make_shared<EvalCliOptions>();
  auto* cmd = app.add_subcommand("eval", "score a generated video: AU accuracy, lip sync, emotion, identity");
  cmd->add_option("--video,-v", o->eval.video, "the video to score (mp4, mkv, ...)");
  cmd->add_option("--audio,-a", o->eval.audio, "speech for lip sync (default: the video's own audio track)");
  cmd->add_option("--portrait,-i", o->eval.portrait, "the portrait it was made from: identity reference, neutral face");
  cmd->add_option("--au-truth", o->eval.au_truth, "ground-truth AU file (JSON, CSV or OpenFace CSV)");
  cmd->add_option("--au-pred", o->eval.au_pred, "compare this AU file with --au-truth instead of the measured AUs");
  cmd->add_option("--emotion", o->emotion, "the requested emotion (default: the truth file's label)");
  cmd->add_option("--phones", o->eval.phones, "phone timeline for lip sync: fast, accurate or none")
      ->check(CLI::IsMember({"fast", "accurate", "none"}));
  cmd->add_flag("--keep-portrait-expression", o->eval.portrait_expression_kept,
               "the video was rendered with the portrait's own expression as its rest face");
  cmd->add_flag("--no-emotion", o->no_emotion, "skip the expression classifier");
  cmd->add_option("--plots", o->eval.plots_dir, "write PNG plots (measured AUs, lip sync) into this folder");
  cmd->add_option("--max-frames", o->eval.max_frames, "score only the first N frames")->check(finite_range(0, 1e9));
  cmd->add_option("--batch", o->batch, "manifest {\"videos\": [{\"video\":..., \"emotion\":...}, ...]}");
  cmd->add_option("-o,--output", o->output, "JSON report to write")->required();
  cmd->callback([o, &global] {
    eval::EvalOptions e = o->eval;
    if (!o->emotion.empty()) e.emotion = parse_emotion_or_throw(o->emotion);
    e.expression = !o->no_emotion;
    const std::string summary = eval::evaluate_to_file(e, o->output, o->batch, terminal_hooks(global.quiet));
    if (!global.quiet) std::fputs(summary.c_str(), stdout);
  });
});

}  // namespace
}  // namespace auhead::cli
