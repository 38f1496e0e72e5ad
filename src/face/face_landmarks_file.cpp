// auhead/face.h: the face of a portrait written as landmarks JSON and, optionally, a mesh overlay.
#include <fstream>
#include <memory>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <nlohmann/json.hpp>

#include "auhead/error.h"
#include "auhead/face.h"
#include "core/atomic_file.h"
#include "core/note.h"
#include "core/run_context.h"
#include "face/face_analyzer.h"
#include "media/image_io.h"

namespace auhead {

int write_face_landmarks(const FaceLandmarksOptions& o, const RunHooks& hooks) {
  RunScope scope(hooks);
  if (o.mesh != "face_mesh" && o.mesh != "attention")
    throw usage_error("mesh must be face_mesh or attention, got '" + o.mesh + "'");
  // The outputs are checked before the work.
  AtomicFile json_out(o.output);
  std::unique_ptr<AtomicFile> png_out;
  if (!o.overlay.empty()) {
    if (!cv::haveImageWriter(o.overlay.string()))
      throw usage_error(o.overlay.string() + ": unsupported overlay image type (use .png or .jpg)");
    png_out = std::make_unique<AtomicFile>(o.overlay);
  }

  cv::Mat rgb = media::load_image_rgb(o.image);
  face::FaceAnalyzer analyzer(face::default_face_models_dir(),
                              o.mesh == "attention" ? face::MeshModel::attention : face::MeshModel::face_mesh);
  face::FaceResult r = analyzer.analyze(rgb, o.image, o.face_index);
  if (r.faces_found > 1 && o.face_index < 0)
    print_warning(std::to_string(r.faces_found) + " faces found in " + o.image.filename().string() +
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
    if (!ok) throw output_error(o.overlay, "cannot write the overlay image (unsupported extension?)");
    png_out->commit();
  }
  json_out.commit();
  return r.faces_found;
}

}  // namespace auhead
