// auhead/au_maps.h: the landmark images and AU region maps of an AU sequence over a portrait.
#include <memory>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "auhead/au_maps.h"
#include "auhead/error.h"
#include "auhead/renderer.h"
#include "core/atomic_file.h"
#include "core/note.h"
#include "core/progress.h"
#include "core/run_context.h"
#include "face/face_analyzer.h"
#include "geometry/au_deformer.h"
#include "geometry/au_region_maps.h"
#include "geometry/landmark_image.h"
#include "media/image_io.h"
#include "media/png_sequence_writer.h"
#include "media/video_writer.h"

namespace auhead {

namespace {

void write_maps(const AuSequence& seq, const AuMapOptions& a) {
  namespace fs = std::filesystem;
  check_frame_size(a.size);
  if (a.crop != "face" && a.crop != "image") throw usage_error("crop must be face or image, got '" + a.crop + "'");
  if (seq.frames.empty()) throw usage_error("no AU frames to draw");
  if (!a.video.empty()) AtomicFile check(a.video);  // a bad video path fails before any work
  cv::Mat rgb = media::load_image_rgb(a.image);
  face::FaceAnalyzer analyzer;
  face::FaceResult face = analyzer.analyze(rgb, a.image, a.face_index);
  if (face.faces_found > 1 && a.face_index < 0)
    print_warning(std::to_string(face.faces_found) + " faces found in " + a.image.filename().string() +
                  "; using the largest (choose another with --face-index)");

  geometry::AuDeformer deformer(face);
  geometry::AuRegionMapper mapper(deformer);
  cv::Size size(a.size, a.size);
  cv::Matx23d to_output = a.crop == "face" ? geometry::face_crop_transform(face.landmarks, size)
                                           : geometry::fit_image_transform(face.image_size, size);

  media::PngSequenceWriter landmarks(a.output_dir / "landmarks");
  media::PngSequenceWriter regions(a.output_dir / "regions");
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
  write_text_file_atomic(a.output_dir / "aumap.json", legend.dump(1) + "\n");
  if (video) video->finish();
}

}  // namespace

void write_au_maps(const AuSequence& seq, const AuMapOptions& options, const RunHooks& hooks) {
  RunScope scope(hooks);
  std::error_code ec;
  const bool made_folder = !std::filesystem::exists(options.output_dir, ec);
  try {
    write_maps(seq, options);
  } catch (...) {
    // The writers removed their temporaries as the error unwound them; a folder this call made goes too.
    if (made_folder) std::filesystem::remove(options.output_dir, ec);
    throw;
  }
}

}  // namespace auhead
