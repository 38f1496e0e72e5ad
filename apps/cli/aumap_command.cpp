// `auhead aumap --au au.json --image I -o maps/ [--video maps.mp4]`: the structured 2D facial
// representation of every AU frame (docs/design.md §7.1): the portrait's landmarks moved by the AUs and
// drawn as a landmark image, plus the AU region maps, as PNG sequences and optionally a video.
#include <memory>

#include "auhead/au_maps.h"
#include "auhead/au_sequence.h"
#include "auhead/error.h"
#include "auhead/renderer.h"
#include "command.h"

namespace auhead::cli {
namespace {

struct Args {
  std::string au;
  AuMapOptions maps;
};

CommandRegistration reg(45, [](CLI::App& app, const GlobalOptions& global) {
  auto args = std::make_shared<Args>();
  auto& m = args->maps;
  auto* cmd = app.add_subcommand("aumap", "draw the AU-driven landmark images and AU region maps of a portrait");
  cmd->add_option("--au", args->au, "AU file (JSON, CSV, OpenFace CSV)")->required();
  cmd->add_option("--image,-i", m.image, "portrait image")->required();
  cmd->add_option("-o,--output", m.output_dir,
                  "output folder: landmarks/ and regions/ PNG sequences and aumap.json (legend)")
      ->required();
  cmd->add_option("--video", m.video, "also write landmarks | regions side by side as a video (.mp4)");
  cmd->add_option("--size", m.size, "output frame size in pixels (square, even; default 512)");
  cmd->add_option("--crop", m.crop, "face: a square around the face (default); image: the whole portrait")
      ->check(CLI::IsMember({"face", "image"}));
  cmd->add_option("--face-index", m.face_index, "which face when there are several (0 = largest)")
      ->check(finite_range(0, 1000));
  cmd->callback([args, &global] {
    check_frame_size(args->maps.size);
    AuSequence seq = read_au_file(args->au);
    if (seq.frames.empty()) throw input_error(args->au, "no AU frames");
    write_au_maps(seq, args->maps, terminal_hooks(global.quiet));
  });
});

}  // namespace
}  // namespace auhead::cli
