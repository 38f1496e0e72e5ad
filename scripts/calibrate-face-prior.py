#!/usr/bin/env python3
"""Writes data/facemesh_upper_face_offset.json: where FaceMesh puts the upper face (eyes, lids, brows,
forehead) on real photos, relative to MediaPipe's canonical face, averaged over a set of photos.

The canonical face has narrower eyes and lower upper lids than FaceMesh finds on photos (mean eye
aperture 386-374: 0.67 cm canonical, ~1.0 cm on the bundled photos), which the AU estimator would
otherwise read as raised lids and brows on every neutral face. Only the upper face is calibrated
(weight 1 above the eyes' lower lids, fading to 0 at the nose tip): the photos smile, but their brows
are at rest. A development script (run by hand after `auhead face` on each photo), not part of the
program: auhead reads the JSON it writes.

Usage: python3 scripts/calibrate-face-prior.py CANONICAL.json FACE.json... > data/facemesh_upper_face_offset.json
  CANONICAL.json: the canonical vertices as [[x, y, z], ...] (468)
  FACE.json: `auhead face` outputs (their aligned_landmarks)
"""
import json
import sys


def smoothstep(e0, e1, x):
    t = min(1.0, max(0.0, (x - e0) / (e1 - e0)))
    return t * t * (3 - 2 * t)


def main():
    canon = json.load(open(sys.argv[1]))
    faces = [json.load(open(f))["aligned_landmarks"] for f in sys.argv[2:]]
    n = len(canon)
    nose_y = canon[1][1]
    lower_lid_y = canon[374][1]
    offsets = []
    for v in range(n):
        w = smoothstep(nose_y + 0.5, lower_lid_y, canon[v][1])
        mean = [sum(f[v][c] for f in faces) / len(faces) - canon[v][c] for c in range(3)]
        offsets.append([round(w * m, 4) for m in mean])
    out = {
        "about": "Mean FaceMesh upper face minus MediaPipe's canonical face (cm, canonical frame), over "
                 + str(len(faces)) + " photos; the AU estimator's photo prior adds it to the canonical face. "
                 "Written by scripts/calibrate-face-prior.py.",
        "photos": [f.split("/")[-1] for f in sys.argv[2:]],
        "offsets": offsets,
    }
    json.dump(out, sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
