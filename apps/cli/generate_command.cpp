// `auhead generate`: speech + portrait → talking-head video (both stages).
#include "auhead/error.h"
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
  std::string driving_video, drive = "all";
  int driving_face_index = -1;
};

CommandRegistration reg(10, [](CLI::App& app, const GlobalOptions& global) {
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("generate", "speech (or a driving video) + portrait -> talking-head video");
  args->au.add_to(cmd, false, false);
  cmd->add_option("--driving-video", args->driving_video,
                  "transfer the AUs and head motion of the face in this video to the portrait");
  cmd->add_option("--drive", args->drive, "with --driving-video: all (AUs and pose), upper (upper face and pose) or pose")
      ->check(CLI::IsMember({"all", "upper", "pose"}))
      ->capture_default_str();
  cmd->add_option("--driving-face-index", args->driving_face_index, "with --driving-video: which face, 0 = the largest")
      ->check(finite_range(0, 1000));
  args->render.add_to(cmd, false);
  cmd->add_option("-o,--output", args->render.options.output, "output video (.mp4)")->required();
  cmd->add_option("--au-out", args->au_out, "also write the AU sequence (.json or .csv)");
  cmd->add_option("--model", args->model,
                  "checkpoint folder for the stage that needs one (alm and/or diffusion), unless "
                  "--au-model / --render-model name their own");
  cmd->add_option("--plot", args->au.options.plot, "also draw the AU curves with the phones to this PNG");
  args->edit.add_to(cmd);
  cmd->callback([args, cmd, &global] {
    if (args->driving_video.empty()) {
      if (args->au.options.audio.empty()) throw usage_error("generate: --audio is required (or --driving-video)");
      for (const char* o : {"--drive", "--driving-face-index"})
        if (cmd->count(o) > 0) throw usage_error(std::string("generate: ") + o + " applies to --driving-video");
    }
    GenerateOptions o;
    o.driving_video = args->driving_video;
    o.drive = args->drive;
    o.driving_face_index = args->driving_face_index;
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
    generate(o, terminal_hooks(global.quiet));
  });
});

}  // namespace
}  // namespace auhead::cli
