#!/usr/bin/env bash
# Face models (issue #3): MediaPipe's BlazeFace short-range detector, the 468-point FaceMesh and the
# canonical face geometry, and MediaPipe's selfie segmentation (the person's silhouette, so that the
# warp keeps the background still: issue #14), taken from three pinned npm packages (Apache-2.0) into
# models/face/ and checked by sha256.
# Idempotent: nothing is fetched when every file is already present with the right hash.
set -euo pipefail
cd "$(dirname "$0")/../.."

source scripts/lib/npm_models.sh
OUT=models/face
DETECTION_PKG="@mediapipe/face_detection@0.4.1657300184"
MESH_PKG="@mediapipe/face_mesh@0.4.1657299874"
SEGMENTATION_PKG="@mediapipe/selfie_segmentation@0.1.1675465747"

# file name -> sha256 (observed on the pinned package versions)
declare -A SHA=(
  [face_detection_short_range.tflite]=3bc182eb9f33925d9e58b5c8d59308a760f4adea8f282370e428c51212c26633
  [face_landmark.tflite]=c603fa6149219a3e9487dc9abd7a0c24474c77263273d24868378cdf40aa26d1
  [face_landmark_with_attention.tflite]=883b7411747bac657c30c462d305d312e9dec6adbf8b85e2f5d8d722fca9455d
  [geometry_pipeline_metadata_landmarks.binarypb]=bdbcda96dfcb7da883da124aaa2c55dee49770d934f0fcc71747f8c21bdc75b4
  [selfie_segmentation.tflite]=8d13b7fae74af625c641226813616a2117bd6bca19eb3b75574621fc08557f27
)

if all_present; then
  echo "setup: face models present"
  exit 0
fi
det=$(npm_unpack "$DETECTION_PKG")
mesh=$(npm_unpack "$MESH_PKG")
seg=$(npm_unpack "$SEGMENTATION_PKG")
mkdir -p "$OUT"
install_file "$det/face_detection_short_range.tflite" face_detection_short_range.tflite
install_file "$seg/selfie_segmentation.tflite" selfie_segmentation.tflite
# The mesh model and the canonical geometry are packed into one .data file; the loader script
# lists each file's byte range ("filename": ..., "start": ..., "end": ...).
extract() {  # <name inside the pack> <output file>
  local range start end
  range=$(grep -o "\"filename\": \"[^\"]*/$1\", \"start\": [0-9]*, \"end\": [0-9]*" \
            "$mesh/face_mesh_solution_packed_assets_loader.js" | grep -o '[0-9]*, "end": [0-9]*' || true)
  [ -n "$range" ] || { echo "setup: $1 not listed in the face_mesh loader" >&2; exit 1; }
  start=${range%%,*}
  end=${range##* }
  dd if="$mesh/face_mesh_solution_packed_assets.data" of="$OUT/$2.tmp" iflag=skip_bytes,count_bytes \
     skip="$start" count="$((end - start))" bs=65536 status=none
  mv "$OUT/$2.tmp" "$OUT/$2"
}
extract face_landmark.tflite face_landmark.tflite
# The attention mesh: the same 468 points with refined lips, eyes and irises (issue #13: blinks).
extract face_landmark_with_attention.tflite face_landmark_with_attention.tflite
extract geometry_pipeline_metadata_landmarks.binarypb geometry_pipeline_metadata_landmarks.binarypb

verify_all
echo "setup: face models ready in $OUT"
