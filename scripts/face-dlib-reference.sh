#!/usr/bin/env bash
# Regenerates tests/face/dlib68_reference.json (dlib's 68 points on the bundled portrait and its
# variants) for the face accuracy test. Needs Debian libdlib-dev and libdlib-data (large; not part
# of scripts/setup.sh, since the reference file is committed).
set -euo pipefail
cd "$(dirname "$0")/.."
dat=/usr/share/dlib/shape_predictor_68_face_landmarks.dat
[ -f "$dat" ] || { echo "need $dat: apt-get install libdlib-dev libdlib-data" >&2; exit 1; }
mkdir -p build/tools
g++ -std=c++17 -O2 tools/face_dlib_reference.cpp -o build/tools/face_dlib_reference \
  $(pkg-config --cflags --libs dlib-1 opencv4)
build/tools/face_dlib_reference /usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg "$dat" \
  tests/face/dlib68_reference.json
echo "wrote tests/face/dlib68_reference.json"
