#!/usr/bin/env bash
# Builds auhead and runs the whole test suite (unit, golden, parity, end-to-end CLI).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
BUILD_DIR=${BUILD_DIR:-build}
cd "$BUILD_DIR"
ctest --output-on-failure -j "${JOBS:-$(nproc)}"
