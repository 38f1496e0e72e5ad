// `auhead aumap --au au.json --image I -o maps/ [--video maps.mp4]`: the structured 2D facial
// representation of every AU frame (docs/design.md §7.1): the portrait's landmarks moved by the AUs and
// drawn as a landmark image, plus the AU region maps, as PNG sequences and optionally a video.
#include <cmath>
#include <memory>
#include <numeric>
#include <nlohmann/json.hpp>

#include "auhead/au_sequence.h"
#include "auhead/error.h"
#include "auhead/pipeline.h"
#include "command.h"
#include "core/atomic_file.h"
#include "core/progress.h"
#include "face/face_analyzer.h"
#include "geometry/au_deformer.h"
#include "geometry/au_region_maps.h"
#include "geometry/landmark_image.h"
#include "media/image_io.h"
#include "media/png_sequence_writer.h"
#include "media/video_writer.h"

namespace auhead::cli {
namespace {

struct Args {
  std::string au, image, output, video;
  int size = 512;
  std::string crop = "face";
  int face_index = -1;
};

void run(const Args& a, const GlobalOptions& global) {
  namespace fs = std::filesystem;
  check_frame_size(a.size);
  if (!a.video.empty()) AtomicFile check(a.video);  // a bad video path fails before any work
  AuSequence seq = read_au_file(a.au);
  if (seq.frames.empty()) throw input_error(a.au, "no AU frames");
  cv::Mat rgb = media::load_image_rgb(a.image);
  face::FaceAnalyzer analyzer;
  face::FaceResult face = analyzer.analyze(rgb, a.image, a.face_index);
  if (face.faces_found > 1 && a.face_index < 0)
    warn(global, std::to_string(face.faces_found) + " faces found in " + fs::path(a.image).filename().string() +
                     "; using the largest (choose another with --face-index)");

  geometry::AuDeformer deformer(face);
  geometry::AuRegionMapper mapper(deformer);
  cv::Size size(a.size, a.size);
  cv::Matx23d to_output = a.crop == "face" ? geometry::face_crop_transform(face.landmarks, size)
                                           : geometry::fit_image_transform(face.image_size, size);

  fs::path out(a.output);
  media::PngSequenceWriter landmarks(out / "landmarks");
  media::PngSequenceWriter regions(out / "regions");
  std::unique_ptr<media::VideoWriter> video;
  if (!a.video.empty())
    video = std::make_unique<media::VideoWriter>(a.video, 2 * a.size, a.size, media::FrameRate::from_fps(seq.fps));

  Progress progress("aumap", int64_t(seq.frames.size()));
  for (const auto& frame : seq.frames) {
    auto lm = deformer.deform(frame);
    cv::Mat lmk = geometry::draw_landmark_image(lm, to_output, size);
    cv::Mat reg = geometry::AuRegionMapper::colorize(mapper.render(frame, lm, to_output, size));
    landmarks.write(lmk);
    regions.write(reg);
    if (video) {
      cv::Mat both;
      cv::hconcat(lmk, reg, both);
      video->write(both);
    }
    progress.advance();
  }
  progress.finish();

  nlohmann::json legend;
  legend["fps"] = seq.fps;
  legend["frames"] = seq.frames.size();
  legend["size"] = {a.size, a.size};
  legend["portrait_to_output"] = {{to_output(0, 0), to_output(0, 1), to_output(0, 2)},
                                  {to_output(1, 0), to_output(1, 1), to_output(1, 2)}};
  for (int g = 0; g < mapper.channels(); ++g) {
    auto c = geometry::AuRegionMapper::group_colour(g);
    legend["region_groups"].push_back({{"name", mapper.names()[g]}, {"rgb", {c[0], c[1], c[2]}}});
  }
  for (const auto& p : geometry::face_parts())
    legend["landmark_parts"].push_back({{"name", p.name}, {"rgb", {p.rgb[0], p.rgb[1], p.rgb[2]}}});
  landmarks.finish();
  regions.finish();
  write_text_file_atomic(out / "aumap.json", legend.dump(1) + "\n");
  if (video) video->finish();
}

CommandRegistration reg(45, [](CLI::App& app, const GlobalOptions& global) {
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("aumap", "draw the AU-driven landmark images and AU region maps of a portrait");
  cmd->add_option("--au", args->au, "AU file (JSON, CSV, OpenFace CSV)")->required();
  cmd->add_option("--image,-i", args->image, "portrait image")->required();
  cmd->add_option("-o,--output", args->output,
                  "output folder: landmarks/ and regions/ PNG sequences and aumap.json (legend)")
      ->required();
  cmd->add_option("--video", args->video, "also write landmarks | regions side by side as a video (.mp4)");
  cmd->add_option("--size", args->size, "output frame size in pixels (square, even; default 512)");
  cmd->add_option("--crop", args->crop, "face: a square around the face (default); image: the whole portrait")
      ->check(CLI::IsMember({"face", "image"}));
  cmd->add_option("--face-index", args->face_index, "which face when there are several (0 = largest)")
      ->check(finite_range(0, 1000));
  cmd->callback([args, &global] { run(*args, global); });
});

}  // namespace
}  // namespace auhead::cli
