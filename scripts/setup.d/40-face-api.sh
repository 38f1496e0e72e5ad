#!/usr/bin/env bash
# Expression classifier for evaluation (issue #9): the 7-class FaceExpressionNet weights (TF.js
# manifest + .bin) from the pinned npm package @vladmandic/face-api into models/face-api/, checked by
# sha256. Idempotent: nothing is fetched when both files are present with the right hash.
set -euo pipefail
cd "$(dirname "$0")/../.."

source scripts/lib/npm_models.sh
OUT=models/face-api
PKG="@vladmandic/face-api@1.7.15"

declare -A SHA=(
  [face_expression_model-weights_manifest.json]=5b349c17c7836da506e03422cd6461c74085d8bb2713ad4114647dc5d28174c8
  [face_expression_model.bin]=9a9840f2cf1f4c7eab95f197512569345c00d2426754d4608b92af30e0300f3d
)

if all_present; then
  echo "setup: face-api expression model present"
  exit 0
fi
# Only the two files we use (the package is ~100 MB unpacked).
pkg_dir=$(npm_unpack "$PKG" package/model/face_expression_model-weights_manifest.json \
  package/model/face_expression_model.bin)
for f in "${!SHA[@]}"; do install_file "$pkg_dir/model/$f" "$f"; done
rm -rf "$(dirname "$pkg_dir")"
verify_all
echo "setup: face-api expression model ready in $OUT"
