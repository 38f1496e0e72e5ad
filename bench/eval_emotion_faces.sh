#!/usr/bin/env bash
# Emotion recognition on many faces (issue #14): the bundled speech with every emotion at the default
# intensity, on the bundled portraits and the evaluation portraits (scripts/eval-portraits.sh), the
# default pipeline (phonetic + warp), then one `auhead eval --batch` (face-api's expression net) and
# a table per emotion: how many portraits read as the requested emotion.
# Usage: bash bench/eval_emotion_faces.sh [OUT_DIR] [PORTRAIT...]
#   (default out/bench_faces and examples/{portrait.jpg,astronaut.png} + examples/faces/*;
#    needs scripts/setup.sh, the build and scripts/eval-portraits.sh; EMOTIONS, GENERATE_ARGS and
#    EVAL_ARGS (default --phones fast; e.g. "--phones none --max-frames 75" for a quick look) override)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-out/bench_faces}
shift || true
AUHEAD=${AUHEAD:-build/auhead}
EMOTIONS=${EMOTIONS:-"angry fear happy neutral sad surprised disgusted contempt"}
if [ $# -gt 0 ]; then portraits=("$@"); else
  [ -d examples/faces ] || bash scripts/eval-portraits.sh
  portraits=(examples/portrait.jpg examples/astronaut.png examples/faces/*)
fi
mkdir -p "$OUT"
entries=()
for p in "${portraits[@]}"; do
  name=$(basename "${p%.*}")
  for e in $EMOTIONS; do
    "$AUHEAD" -q generate --audio examples/speech.wav --image "$p" --emotion "$e" \
      -o "$OUT/$name-$e.mp4" --au-out "$OUT/$name-$e.json" ${GENERATE_ARGS:-}
    entries+=("{\"video\": \"$name-$e.mp4\", \"au_truth\": \"$name-$e.json\", \"emotion\": \"$e\", \"portrait\": \"$(realpath "$p")\"}")
  done
  echo "eval_emotion_faces: $name rendered" >&2
done
(IFS=,; echo "{\"videos\": [${entries[*]}]}") > "$OUT/manifest.json"
"$AUHEAD" -q eval --batch "$OUT/manifest.json" ${EVAL_ARGS:---phones fast} -o "$OUT/report.json" >/dev/null
python3 bench/emotion_faces_table.py "$OUT/report.json" | tee "$OUT/table.md"
