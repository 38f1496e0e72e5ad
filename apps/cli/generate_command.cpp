// `auhead generate`: speech + portrait → talking-head video (both stages).
#include "command.h"
#include "pipeline_options.h"

namespace auhead::cli {
namespace {

struct Args {
  AuArgs au;
  RenderArgs render;
  EditArgs edit;
  std::string au_out;
  std::string model;
};

CommandRegistration reg(10, [](CLI::App& app, const GlobalOptions&) {
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("generate", "speech + portrait -> talking-head video");
  args->au.add_to(cmd);
  args->render.add_to(cmd, false);
  cmd->add_option("-o,--output", args->render.options.output, "output video (.mp4)")->required();
  cmd->add_option("--au-out", args->au_out, "also write the AU sequence (.json or .csv)");
  cmd->add_option("--model", args->model,
                  "checkpoint folder for the stage that needs one (alm and/or diffusion), unless "
                  "--au-model / --render-model name their own");
  cmd->add_option("--plot", args->au.options.plot, "also draw the AU curves with the phones to this PNG");
  args->edit.add_to(cmd);
  cmd->callback([args] {
    GenerateOptions o;
    o.au = args->au.resolve();
    o.au.edit = args->edit.build();
    o.render = args->render.resolve();
    if (!args->model.empty()) {
      if (o.au.model_dir.empty()) o.au.model_dir = args->model;
      if (o.render.model_dir.empty()) o.render.model_dir = args->model;
    }
    o.render.audio = o.au.audio;
    o.render.seed = o.au.seed;
    o.au_out = args->au_out;
    generate(o);
  });
});

}  // namespace
}  // namespace auhead::cli
