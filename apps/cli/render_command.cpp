// `auhead render`: AU sequence file + portrait → video (Stage 2 only), e.g. after editing the AUs.
#include "command.h"
#include "pipeline_options.h"

namespace auhead::cli {
namespace {

struct Args {
  RenderArgs render;
  EditArgs edit;
  std::string au_file;
};

CommandRegistration reg(30, [](CLI::App& app, const GlobalOptions& global) {
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("render", "AU sequence + portrait -> video");
  cmd->add_option("--au", args->au_file, "AU sequence (.json, .csv or OpenFace .csv)")->required();
  args->render.add_to(cmd, true, true);
  cmd->add_option("--audio", args->render.options.audio, "speech to mux into the video");
  cmd->add_option("-o,--output", args->render.options.output, "output video (.mp4)");
  args->edit.add_to(cmd);
  cmd->callback([args, &global] {
    RenderOptions o = args->render.resolve();
    o.edit = args->edit.build();
    AuSequence aus = read_au_file(args->au_file);
    render_video(aus, o, terminal_hooks(global.quiet));
  });
});

}  // namespace
}  // namespace auhead::cli
