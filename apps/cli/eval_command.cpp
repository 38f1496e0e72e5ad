// `auhead eval`: measures how good a generated video is — AU accuracy, lip sync, emotion, identity
// and stability — writes a JSON report and prints a summary; `--batch manifest.json` does many.
#include <cstdio>
#include <fstream>
#include <memory>

#include "auhead/error.h"
#include "command.h"
#include "core/atomic_file.h"
#include "eval/eval_report.h"

namespace auhead::cli {
namespace {

struct EvalCliOptions {
  std::string video, audio, portrait, au_truth, au_pred, emotion, output, batch, plots;
  std::string phones = "fast";
  bool no_emotion = false, keep_portrait_expression = false;
  int max_frames = 0;
};

void run_eval(const EvalCliOptions& c, const GlobalOptions& global) {
  if (c.output.empty()) throw usage_error("-o/--output report.json is required");
  if (!c.batch.empty() && (!c.video.empty() || !c.au_pred.empty()))
    throw usage_error("--batch takes the videos from the manifest: leave out --video and --au-pred");
  eval::EvalOptions o;
  o.video = c.video, o.audio = c.audio, o.portrait = c.portrait, o.au_truth = c.au_truth, o.au_pred = c.au_pred;
  if (!c.emotion.empty()) o.emotion = parse_emotion_or_throw(c.emotion);
  o.phones = c.phones;
  o.expression = !c.no_emotion;
  o.portrait_expression_kept = c.keep_portrait_expression;
  o.plots_dir = c.plots;
  o.max_frames = c.max_frames;
  AtomicFile out(c.output);  // checks the folder before the work

  std::string json, summary;
  if (!c.batch.empty()) {
    auto entries = eval::read_manifest(c.batch, o);
    std::vector<eval::EvalReport> reports;
    for (const auto& e : entries) reports.push_back(eval::evaluate(e));
    auto b = eval::aggregate(std::move(reports));
    json = eval::batch_to_json(b).dump(1);
    summary = eval::batch_summary(b);
  } else {
    auto r = eval::evaluate(o);
    if (r.emotion && !r.emotion->available) warn(global, r.emotion->note);
    json = eval::report_to_json(r).dump(1);
    summary = eval::report_summary(r);
  }
  {
    std::ofstream f(out.temp_path(), std::ios::binary);
    f << json << "\n";
    f.flush();
    if (!f) throw output_error(c.output, "write failed (disk full?)");
  }
  out.commit();
  if (!global.quiet) std::fputs(summary.c_str(), stdout);
}

CommandRegistration reg(60, [](CLI::App& app, const GlobalOptions& global) {
  auto o = std::make_shared<EvalCliOptions>();
  auto* cmd = app.add_subcommand("eval", "score a generated video: AU accuracy, lip sync, emotion, identity");
  cmd->add_option("--video,-v", o->video, "the video to score (mp4, mkv, ...)");
  cmd->add_option("--audio,-a", o->audio, "speech for lip sync (default: the video's own audio track)");
  cmd->add_option("--portrait,-i", o->portrait, "the portrait it was made from: identity reference, neutral face");
  cmd->add_option("--au-truth", o->au_truth, "ground-truth AU file (JSON, CSV or OpenFace CSV)");
  cmd->add_option("--au-pred", o->au_pred, "compare this AU file with --au-truth instead of the measured AUs");
  cmd->add_option("--emotion", o->emotion, "the requested emotion (default: the truth file's label)");
  cmd->add_option("--phones", o->phones, "phone timeline for lip sync: fast, accurate or none")
      ->check(CLI::IsMember({"fast", "accurate", "none"}));
  cmd->add_flag("--keep-portrait-expression", o->keep_portrait_expression,
               "the video was rendered with the portrait's own expression as its rest face");
  cmd->add_flag("--no-emotion", o->no_emotion, "skip the expression classifier");
  cmd->add_option("--plots", o->plots, "write PNG plots (measured AUs, lip sync) into this folder");
  cmd->add_option("--max-frames", o->max_frames, "score only the first N frames")->check(finite_range(0, 1e9));
  cmd->add_option("--batch", o->batch, "manifest {\"videos\": [{\"video\":..., \"emotion\":...}, ...]}");
  cmd->add_option("-o,--output", o->output, "JSON report to write")->required();
  cmd->callback([o, &global] { run_eval(*o, global); });
});

}  // namespace
}  // namespace auhead::cli
