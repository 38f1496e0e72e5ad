// `auhead face`: detects the face in a portrait, writes its 468 landmarks, box, keypoints, head pose
// and canonical alignment as JSON, and optionally draws the mesh over the photo.
#include <memory>

#include "auhead/face.h"
#include "command.h"

namespace auhead::cli {
namespace {

CommandRegistration reg(30, [](CLI::App& app, const GlobalOptions& global) {
  auto opts = std::make_shared<FaceLandmarksOptions>();
  auto* cmd = app.add_subcommand("face", "find the face in a portrait: 468 landmarks, head pose");
  cmd->add_option("--image,-i", opts->image, "portrait image (JPEG, PNG, ...)")->required();
  cmd->add_option("-o,--output", opts->output, "landmarks JSON to write")->required();
  cmd->add_option("--draw", opts->overlay, "also draw the mesh over the portrait into this image");
  cmd->add_option("--face-index", opts->face_index,
                  "which face when there are several (0 = largest, the default)")
      ->check(finite_range(0, 1000));
  cmd->add_option("--mesh", opts->mesh,
                  "landmark model: face_mesh (FaceMesh v1, the points the renderers warp; the default) or "
                  "attention (lips and eyes re-placed by the attention mesh: closed eyes and lips read as closed)")
      ->check(CLI::IsMember({"face_mesh", "attention"}));
  cmd->callback([opts, &global] { write_face_landmarks(*opts, terminal_hooks(global.quiet)); });
});

}  // namespace
}  // namespace auhead::cli
