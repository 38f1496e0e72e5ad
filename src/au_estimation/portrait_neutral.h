// Portrait neutralisation: the renderers animate a portrait from its neutral face, so that a photo
// that already smiles can be made sad. The portrait's own AUs are read (AuEstimator::estimate_photo)
// and taken off its landmarks; the requested AUs then act on that neutral, and the warp moves the
// portrait's actual landmarks to the result (closing an open mouth, relaxing a smile).
#pragma once
#include "face/face_analyzer.h"
#include "geometry/au_deformer.h"

namespace auhead::au_estimation {

// The portrait's own AUs (what neutralisation takes off; intensities up to 2), e.g. to fade the
// folds they make.
AuFrame portrait_expression(const face::FaceResult& face);
// The same read from the photo with the mesh that reads AUs (face::FaceAnalyzer::reader(): the
// attention mesh, whose lips and eyes follow a smile and a squint more closely) when it differs from
// the one that placed `face`; `face` as it is when that mesh finds no face at the same place.
AuFrame portrait_expression(const cv::Mat& rgb, const face::FaceResult& face);
// The neutralised deformer for AUs already read with portrait_expression (one fit per portrait).
geometry::AuDeformer portrait_deformer(const face::FaceResult& face, const AuFrame& own);

}  // namespace auhead::au_estimation
