// `auhead au-convert IN OUT`: converts AU files (JSON, CSV, OpenFace CSV in; JSON or CSV out), with
// optional resampling and edits.
#include "auhead/au_sequence.h"
#include "command.h"
#include "edit_options.h"

namespace auhead::cli {
namespace {

struct Args {
  std::string in, out;
  std::optional<double> fps;
  EditArgs edit;
};

CommandRegistration reg(40, [](CLI::App& app, const GlobalOptions& global) {
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("au-convert", "convert an AU file (JSON, CSV, OpenFace CSV) to JSON or CSV");
  cmd->add_option("input", args->in, "AU file: .json, .csv or an OpenFace 2.0 .csv")->required();
  cmd->add_option("output", args->out, "output .json or .csv")->required();
  cmd->add_option("--fps", args->fps, "resample to this frame rate (monotone cubic)")->check(finite_range(kMinAuFps, kMaxAuFps));
  args->edit.add_to(cmd);
  cmd->callback([args] {
    AuEdit edit = args->edit.build();
    detect_au_format(args->out);  // a bad output name fails before any work
    AuSequence seq = read_au_file(args->in);
    if (args->fps) seq = resample(seq, *args->fps);
    apply_edit(seq, edit);
    write_au_file(args->out, seq);
  });
});

}  // namespace
}  // namespace auhead::cli
