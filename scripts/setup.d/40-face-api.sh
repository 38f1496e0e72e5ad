#!/usr/bin/env bash
# Expression classifier for evaluation (issue #9): the 7-class FaceExpressionNet weights (TF.js
# manifest + .bin) from the pinned npm package @vladmandic/face-api into models/face-api/, checked by
# sha256. Idempotent: nothing is fetched when both files are present with the right hash.
set -euo pipefail
cd "$(dirname "$0")/../.."

OUT=models/face-api
NPM_DIR=models/npm
PKG="@vladmandic/face-api@1.7.15"

declare -A SHA=(
  [face_expression_model-weights_manifest.json]=5b349c17c7836da506e03422cd6461c74085d8bb2713ad4114647dc5d28174c8
  [face_expression_model.bin]=9a9840f2cf1f4c7eab95f197512569345c00d2426754d4608b92af30e0300f3d
)

ok() { [ -f "$OUT/$1" ] && [ "$(sha256sum "$OUT/$1" | cut -d' ' -f1)" = "${SHA[$1]}" ]; }

all_ok=1
for f in "${!SHA[@]}"; do ok "$f" || all_ok=0; done
if [ "$all_ok" = 1 ]; then
  echo "setup: face-api expression model present"
  exit 0
fi

command -v npm >/dev/null || bash scripts/setup.d/00-npm.sh
mkdir -p "$OUT" "$NPM_DIR"
tgz="$NPM_DIR/vladmandic-face-api-1.7.15.tgz"
if [ ! -s "$tgz" ]; then
  echo "setup: fetching npm $PKG"
  (cd "$NPM_DIR" && npm pack --silent "$PKG" >/dev/null)
fi
dir="${tgz%.tgz}"
rm -rf "$dir" && mkdir -p "$dir"
# Only the two files we use (the package is ~100 MB unpacked).
tar xzf "$tgz" -C "$dir" package/model/face_expression_model-weights_manifest.json \
  package/model/face_expression_model.bin
for f in "${!SHA[@]}"; do
  cp "$dir/package/model/$f" "$OUT/$f.tmp" && mv "$OUT/$f.tmp" "$OUT/$f"
done
rm -rf "$dir"
for f in "${!SHA[@]}"; do
  if ! ok "$f"; then
    echo "setup: $OUT/$f has the wrong sha256 (expected ${SHA[$f]})" >&2
    exit 1
  fi
done
echo "setup: face-api expression model ready in $OUT"
