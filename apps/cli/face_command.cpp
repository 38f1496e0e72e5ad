// `auhead face`: detects the face in a portrait, writes its 468 landmarks, box, keypoints, head pose
// and canonical alignment as JSON, and optionally draws the mesh over the photo.
#include <fstream>
#include <memory>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <nlohmann/json.hpp>

#include "auhead/error.h"
#include "command.h"
#include "core/atomic_file.h"
#include "face/face_analyzer.h"
#include "media/image_io.h"

namespace auhead::cli {
namespace {

struct FaceOptions {
  std::string image;
  std::string output;
  std::string draw;
  int face_index = -1;
  std::string mesh = "face_mesh";
};

void run_face(const FaceOptions& o, const GlobalOptions& global) {
  namespace fs = std::filesystem;
  // Check the outputs can be written before the work.
  AtomicFile json_out(o.output);
  std::unique_ptr<AtomicFile> png_out;
  if (!o.draw.empty()) {
    if (!cv::haveImageWriter(o.draw))
      throw usage_error("--draw " + o.draw + ": unsupported image type (use .png or .jpg)");
    png_out = std::make_unique<AtomicFile>(o.draw);
  }

  cv::Mat rgb = media::load_image_rgb(o.image);
  face::FaceAnalyzer analyzer(face::default_face_models_dir(),
                              o.mesh == "attention" ? face::MeshModel::attention : face::MeshModel::face_mesh);
  std::string name = fs::path(o.image).filename().string();
  face::FaceResult r = analyzer.analyze(rgb, o.image, o.face_index);
  if (r.faces_found > 1 && o.face_index < 0)
    warn(global, std::to_string(r.faces_found) + " faces found in " + name +
                     "; using the largest (choose another with --face-index)");

  {
    std::ofstream out(json_out.temp_path(), std::ios::binary);
    out << face::face_result_to_json(r).dump(1) << "\n";
    out.flush();
    if (!out) throw output_error(o.output, "write failed (disk full?)");
  }
  if (png_out) {
    cv::Mat bgr;
    cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
    face::draw_face(bgr, r, analyzer.canonical());
    bool ok = false;
    try {  // the temporary keeps the target's extension, which picks the format
      ok = cv::imwrite(png_out->temp_path().string(), bgr);
    } catch (const cv::Exception&) {
      ok = false;
    }
    if (!ok) throw output_error(o.draw, "cannot write the overlay image (unsupported extension?)");
  }
  if (png_out) png_out->commit();
  json_out.commit();
}

CommandRegistration reg(30, [](CLI::App& app, const GlobalOptions& global) {
  auto opts = std::make_shared<FaceOptions>();
  auto* cmd = app.add_subcommand("face", "find the face in a portrait: 468 landmarks, head pose");
  cmd->add_option("--image,-i", opts->image, "portrait image (JPEG, PNG, ...)")->required();
  cmd->add_option("-o,--output", opts->output, "landmarks JSON to write")->required();
  cmd->add_option("--draw", opts->draw, "also draw the mesh over the portrait into this image");
  cmd->add_option("--face-index", opts->face_index,
                  "which face when there are several (0 = largest, the default)")
      ->check(finite_range(0, 1000));
  cmd->add_option("--mesh", opts->mesh,
                  "landmark model: face_mesh (FaceMesh v1, the points the renderers warp; the default) or "
                  "attention (lips and eyes re-placed by the attention mesh: closed eyes and lips read as closed)")
      ->check(CLI::IsMember({"face_mesh", "attention"}));
  cmd->callback([opts, &global] { run_face(*opts, global); });
});

}  // namespace
}  // namespace auhead::cli
