#include "au_estimation/portrait_neutral.h"

#include <cmath>

#include "au_estimation/au_estimator.h"

namespace auhead::au_estimation {

geometry::AuDeformer portrait_deformer(const face::FaceResult& face, const AuFrame& own) {
  const AuEstimator& e = AuEstimator::standard();
  FaceAuEstimate estimate;
  estimate.aus = own;
  return geometry::AuDeformer(face, neutralised(face.alignment.aligned, estimate, e), e.canonical(), e.basis());
}

AuFrame portrait_expression(const face::FaceResult& face) {
  return AuEstimator::standard().estimate_photo_extended(face.alignment.aligned).aus;
}

AuFrame portrait_expression(const cv::Mat& rgb, const face::FaceResult& face) {
  const face::FaceAnalyzer& reader = face::FaceAnalyzer::reader();
  if (reader.mesh_model() == face.mesh_model || rgb.empty())
    return portrait_expression(face);
  // The same face: the detection whose box centre is nearest to this face's.
  const auto found = reader.detect(rgb);
  const cv::Point2f centre(face.box.x + face.box.width / 2, face.box.y + face.box.height / 2);
  int best = -1;
  double best_d = 0.25 * face.box.width;
  for (size_t i = 0; i < found.size(); ++i) {
    const cv::Point2f c(found[i].box.x + found[i].box.width / 2, found[i].box.y + found[i].box.height / 2);
    const double d = std::hypot(c.x - centre.x, c.y - centre.y);
    if (d < best_d) best_d = d, best = int(i);
  }
  if (best < 0) return portrait_expression(face);
  return portrait_expression(reader.analyze(rgb, found, best));
}

}  // namespace auhead::au_estimation
