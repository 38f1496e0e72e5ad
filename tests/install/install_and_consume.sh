#!/usr/bin/env bash
# CTest InstallAndConsume: `cmake --install` into a temporary prefix; the installed `auhead` finds its
# data and models under that prefix (not in the source tree); a small program (consumer/) builds
# against the installed package through find_package(auhead) and through pkg-config, and runs.
# Usage: install_and_consume.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
BUILD=$(realpath "$1")
SRC=$(realpath "$2")
TMP=$(mktemp -d "${TMPDIR:-/tmp}/auhead_install.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
PREFIX=$TMP/prefix

cmake --install "$BUILD" --prefix "$PREFIX" > "$TMP/install.log"
for f in bin/auhead include/auhead/pipeline.h lib/libauhead.a lib/cmake/auhead/auheadConfig.cmake \
         lib/pkgconfig/auhead.pc share/auhead/data/au_basis.json; do
  [ -e "$PREFIX/$f" ] || { echo "missing after install: $f"; exit 1; }
done

# The installed command looks beside itself first.
"$PREFIX/bin/auhead" version | tee "$TMP/version.txt"
grep -qx "data: $PREFIX/share/auhead/data" "$TMP/version.txt" || { echo "data not found under the prefix"; exit 1; }
if [ -d "$SRC/models/face" ]; then
  "$PREFIX/bin/auhead" -q face --image "$SRC/examples/portrait.jpg" -o "$TMP/face.json"
fi

# A consumer through the CMake package.
GEN=()
command -v ninja > /dev/null && GEN=(-G Ninja)
cmake -S "$SRC/tests/install/consumer" -B "$TMP/consumer" "${GEN[@]}" -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_PREFIX_PATH="$PREFIX" > "$TMP/configure.log" || { cat "$TMP/configure.log"; exit 1; }
cmake --build "$TMP/consumer" > "$TMP/build.log" || { cat "$TMP/build.log"; exit 1; }

# The same program through pkg-config (the .pc names the configured prefix: point it at this one).
PC=$(PKG_CONFIG_PATH="$PREFIX/lib/pkgconfig" pkg-config --define-variable=prefix="$PREFIX" --cflags --libs auhead)
g++ -std=c++20 -O1 "$SRC/tests/install/consumer/main.cpp" -o "$TMP/consumer_pc" $PC

if [ -d "$SRC/models/face" ] && [ -f "$SRC/examples/speech.wav" ]; then
  "$TMP/consumer/consumer" "$SRC/examples/speech.wav" "$SRC/examples/portrait.jpg" "$TMP/a.mp4"
  "$TMP/consumer_pc" "$SRC/examples/speech.wav" "$SRC/examples/portrait.jpg" "$TMP/b.mp4"
else
  echo "models or examples missing (scripts/setup.sh): built the consumers, did not run them"
fi
echo "install and consume: ok"
