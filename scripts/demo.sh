#!/usr/bin/env bash
# Builds auhead and runs the main job on the bundled example: speech + portrait -> out/demo.mp4.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
mkdir -p out
build/auhead generate --audio examples/speech.wav --image examples/portrait.jpg \
  --emotion happy -o out/demo.mp4 --au-out out/demo_au.json "$@"
echo "demo: wrote out/demo.mp4"
