#include "au_estimation/portrait_neutral.h"

#include "au_estimation/au_estimator.h"

namespace auhead::au_estimation {

geometry::AuDeformer portrait_deformer(const face::FaceResult& face, bool keep_expression) {
  if (keep_expression) return geometry::AuDeformer(face);
  return portrait_deformer(face, portrait_expression(face));
}

geometry::AuDeformer portrait_deformer(const face::FaceResult& face, const AuFrame& own) {
  const AuEstimator& e = AuEstimator::standard();
  FaceAuEstimate estimate;
  estimate.aus = own;
  return geometry::AuDeformer(face, neutralised(face.alignment.aligned, estimate, e), e.canonical(), e.basis());
}

AuFrame portrait_expression(const face::FaceResult& face) {
  return AuEstimator::standard().estimate_photo_extended(face.alignment.aligned).aus;
}

}  // namespace auhead::au_estimation
