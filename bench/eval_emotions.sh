#!/usr/bin/env bash
# The default pipeline's figures for every emotion (issue #9): generates the bundled speech + portrait
# once per emotion (phonetic accurate + warp, 512×512, 25 fps), then scores all eight videos with one
# `auhead eval --batch` against the AU sequences they were rendered from (phones: fast front end;
# --phones accurate once deadlocked in concurrent pocketsphinx ps_init, see the report).
# Usage: bash bench/eval_emotions.sh [OUT_DIR] [PORTRAIT]
#   (default out/bench_eval and examples/portrait.jpg; needs scripts/setup.sh + build)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-out/bench_eval}
PORTRAIT=${2:-examples/portrait.jpg}
AUHEAD=${AUHEAD:-build/auhead}
mkdir -p "$OUT"
entries=()
for e in angry contempt disgusted fear happy neutral sad surprised; do
  "$AUHEAD" -q generate --audio examples/speech.wav --image "$PORTRAIT" --emotion "$e" \
    -o "$OUT/$e.mp4" --au-out "$OUT/$e.json"
  entries+=("{\"video\": \"$e.mp4\", \"au_truth\": \"$e.json\", \"emotion\": \"$e\", \"portrait\": \"$(realpath "$PORTRAIT")\"}")
done
(IFS=,; echo "{\"videos\": [${entries[*]}]}") > "$OUT/manifest.json"
"$AUHEAD" eval --batch "$OUT/manifest.json" --phones fast -o "$OUT/report.json"
# The README's table (Evaluation, "Figures of the default pipeline, per emotion").
python3 bench/eval_table.py "$OUT/report.json" | tee "$OUT/table.md"
