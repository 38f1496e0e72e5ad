#!/usr/bin/env python3
"""Per-emotion recognition table from bench/eval_emotion_faces.sh's batch report: for each requested
emotion, how many videos face-api's net reads as that emotion (argmax of the mean probabilities), and
what the others read as; then the score over angry, fear, happy, neutral, sad and surprised, and a
per-portrait line. Usage: python3 bench/emotion_faces_table.py out/bench_faces/report.json"""
import collections
import json
import os
import sys

SCORED = ["angry", "fear", "happy", "neutral", "sad", "surprised"]


def main():
    report = json.load(open(sys.argv[1]))
    by_emotion = collections.defaultdict(list)
    by_portrait = collections.defaultdict(list)
    for v in report["videos"]:
        em = v["emotion"]
        req, pred = em["requested"], em["predicted"]
        portrait = os.path.basename(v["video"]).rsplit("-", 1)[0]
        by_emotion[req].append((portrait, pred))
        by_portrait[portrait].append((req, pred))
    print("| requested | read as requested | read instead (count) |")
    print("|---|---|---|")
    hit = total = 0
    for req, rows in by_emotion.items():
        ok = sum(p == req for _, p in rows)
        other = collections.Counter(p for _, p in rows if p != req)
        note = ", ".join(f"{k} {n}" for k, n in other.most_common()) or "-"
        if req == "contempt":
            print(f"| contempt | (no contempt class) | {note} |")
            continue
        print(f"| {req} | {ok}/{len(rows)} ({100 * ok / len(rows):.0f} %) | {note} |")
        if req in SCORED:
            hit += ok
            total += len(rows)
    if total:
        print(f"\nScored emotions ({', '.join(SCORED)}): {hit}/{total} = {100 * hit / total:.1f} %")
    print("\n| portrait | correct of the scored | misses (requested→read) |")
    print("|---|---|---|")
    for portrait, rows in by_portrait.items():
        scored = [(r, p) for r, p in rows if r in SCORED]
        ok = sum(r == p for r, p in scored)
        miss = ", ".join(f"{r}→{p}" for r, p in scored if r != p) or "-"
        print(f"| {portrait} | {ok}/{len(scored)} | {miss} |")


if __name__ == "__main__":
    main()
