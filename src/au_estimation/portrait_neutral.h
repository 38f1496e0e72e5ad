// Portrait neutralisation: the renderers animate a portrait from its neutral face, so that a photo
// that already smiles can be made sad. The portrait's own AUs are read (AuEstimator::estimate_photo)
// and taken off its landmarks; the requested AUs then act on that neutral, and the warp moves the
// portrait's actual landmarks to the result (closing an open mouth, relaxing a smile).
#pragma once
#include "face/face_analyzer.h"
#include "geometry/au_deformer.h"

namespace auhead::au_estimation {

// keep_expression: the portrait's landmarks as they are the rest face (zero AUs = the photo).
geometry::AuDeformer portrait_deformer(const face::FaceResult& face, bool keep_expression);
// The portrait's own AUs (what neutralisation takes off; intensities up to 2), e.g. to fade the
// folds they make.
AuFrame portrait_expression(const face::FaceResult& face);
// The neutralised deformer for AUs already read with portrait_expression (one fit per portrait).
geometry::AuDeformer portrait_deformer(const face::FaceResult& face, const AuFrame& own);

}  // namespace auhead::au_estimation
