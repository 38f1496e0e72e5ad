#include "geometry/geometry_test_util.h"

#include <mutex>

#include "media/image_io.h"

namespace auhead::geometry::test {

const Portrait* sample_portrait() {
  static std::once_flag once;
  static std::unique_ptr<Portrait> portrait;
  std::call_once(once, [] {
    namespace fs = std::filesystem;
    fs::path models = face::default_face_models_dir();
    fs::path image = "/usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg";
    std::error_code ec;
    if (!fs::is_regular_file(models / "face_landmark.tflite", ec) || !fs::is_regular_file(image, ec)) return;
    face::FaceAnalyzer analyzer(models);
    auto p = std::make_unique<Portrait>();
    p->face = analyzer.analyze(media::load_image_rgb(image), image.string());
    p->canonical = analyzer.canonical();
    portrait = std::move(p);
  });
  return portrait.get();
}

}  // namespace auhead::geometry::test
