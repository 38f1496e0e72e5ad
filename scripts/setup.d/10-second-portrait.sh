#!/usr/bin/env bash
# A second test portrait: scikit-image's astronaut.png (NASA photograph of Eileen Collins, public
# domain; 512×512, no glasses), taken out of Debian's python3-skimage .deb with `apt-get download` and
# `dpkg-deb`, so nothing of scikit-image or Python is installed. sha256-checked; idempotent.
set -euo pipefail
cd "$(dirname "$0")/../.."

OUT=examples
declare -A SHA=([astronaut.png]=88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5)
source scripts/lib/npm_models.sh  # all_present, install_file, verify_all

if all_present; then
  echo "setup: examples/astronaut.png present"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 777 "$tmp"  # apt-get download may run as the _apt user
(cd "$tmp" && apt-get download python3-skimage >/dev/null 2>&1) || {
  echo "setup: apt-get download python3-skimage failed (run apt-get update?)" >&2
  exit 1
}
dpkg-deb --fsys-tarfile "$tmp"/python3-skimage_*.deb |
  tar -x -C "$tmp" ./usr/lib/python3/dist-packages/skimage/data/astronaut.png
install_file "$tmp/usr/lib/python3/dist-packages/skimage/data/astronaut.png" astronaut.png
verify_all
echo "setup: examples/astronaut.png ready"
