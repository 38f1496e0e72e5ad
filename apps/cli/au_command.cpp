// `auhead au`: an AU sequence file from speech (Stage 1), or read from a face video or photo.
#include <cmath>

#include "auhead/au_estimation.h"
#include "auhead/au_plot.h"
#include "auhead/error.h"
#include "command.h"
#include "pipeline_options.h"

namespace auhead::cli {
namespace {

struct Args {
  AuArgs au;
  EditArgs edit;
  std::string out;
  std::string video, image, format;
  int face_index = -1;
};

// Options that only mean something for speech.
constexpr const char* kSpeechOnly[] = {"--emotion", "--emotion-intensity", "--au-generator", "--lipsync",
                                       "--au-model", "--temperature", "--top-k", "--top-p", "--seed"};

CommandRegistration reg(20, [](CLI::App& app, const GlobalOptions& global) {
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("au", "speech -> AU sequence, or AUs read from a face video or photo");
  args->au.add_to(cmd, true, false);
  cmd->add_option("--video", args->video, "read the AUs of the face in this video (any format FFmpeg reads)");
  cmd->add_option("--image", args->image, "read the AUs of the face in this photo (one frame)");
  cmd->add_option("--face-index", args->face_index, "video/photo: which face, 0 = the largest (default)")
      ->check(finite_range(0, 1000));
  cmd->add_option("-o,--output", args->out, "AU file to write (.json or .csv)")->required();
  cmd->add_option("--format", args->format,
                  "json, csv, arkit-csv (52 ARKit blendshapes, Live Link Face layout) or openface-csv "
                  "(AUxx_r columns); default: from the extension");
  cmd->add_option("--plot", args->au.options.plot, "also draw the AU curves (with the phones, for speech) to this PNG");
  args->edit.add_to(cmd);
  cmd->callback([args, cmd, &global] {
    const int inputs = int(!args->au.options.audio.empty()) + int(!args->video.empty()) + int(!args->image.empty());
    if (inputs != 1) throw usage_error("au: give exactly one of --audio, --video and --image");
    AuFileFormat format = args->format.empty() ? detect_au_format(args->out) : parse_au_file_format(args->format);
    if (!args->format.empty() && format != AuFileFormat::json) detect_au_format(args->out);  // .json or .csv
    if (args->au.options.audio.empty()) {
      for (const char* o : kSpeechOnly)
        if (cmd->count(o) > 0) throw usage_error(std::string("au: ") + o + " applies to --audio only");
      const RunHooks hooks = terminal_hooks(global.quiet);
      AuSequence seq = args->video.empty() ? read_image_aus(args->image, args->face_index, hooks)
                                           : read_video_aus(args->video, args->face_index, hooks);
      if (cmd->count("--fps") > 0 && std::abs(args->au.options.fps - seq.fps) > 1e-9)
        seq = resample(seq, args->au.options.fps);
      apply_edit(seq, args->edit.build());
      if (!args->au.options.plot.empty()) write_au_plot(args->au.options.plot, seq);
      write_au_file(args->out, seq, format);
      return;
    }
    if (cmd->count("--face-index") > 0) throw usage_error("au: --face-index applies to --video and --image only");
    AuOptions o = args->au.resolve();
    o.edit = args->edit.build();
    write_au_file(args->out, generate_au(o, terminal_hooks(global.quiet)), format);
  });
});

}  // namespace
}  // namespace auhead::cli
