#!/usr/bin/env python3
"""The README's per-emotion table (Evaluation section) from bench/eval_emotions.sh's batch report.
Usage: python3 bench/eval_table.py out/bench_eval/report.json"""
import json
import sys


def f(x, fmt):
    return "n/a" if x is None else format(x, fmt)


def row(v):
    au, ls, em, idn = v["au_accuracy"], v["lip_sync"], v["emotion"], v["identity"]
    req = em["requested"]
    probs = em["mean_probabilities"]
    pred = em["predicted"]
    pred_p = probs.get("fearful" if pred == "fear" else pred)
    if req == "contempt":
        share = "n/a (no class)"
    else:
        share = f"{em['frame_accuracy'] * 100:.0f}%"
    e, p = ls["energy"], ls["phones"]
    return (f"| {req} | {au['mean']['mae']:.3f} / {f(au['mean']['pearson'], '.2f')} "
            f"| {f(au['per_au']['jaw_drop']['pearson'], '.2f')} "
            f"| {e['pearson']:.2f} ({e['lag_ms']:.0f}) | {p['pearson']:.2f} "
            f"| {p['bilabial_closed'] * 100:.0f}% | {pred} ({f(pred_p, '.2f')}) | {share} "
            f"| {idn['psnr']:.1f} / {idn['ssim']:.3f} | {idn['flicker_static']:.2f} |")


def main():
    report = json.load(open(sys.argv[1]))
    print("| emotion | AU MAE / r (30 AUs, estimator) | jaw r | mouth–energy r (lag ms) | mouth–phones r "
          "| p/b/m closed | face-api says (p) | requested-class frames | PSNR / SSIM | flicker |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    scored = correct = 0
    for v in report["videos"]:
        print(row(v))
        if v["emotion"]["requested"] != "contempt":
            scored += 1
            correct += bool(v["emotion"]["correct"])
    print(f"\nEmotion accuracy {correct}/{scored} ({correct / max(1, scored):.4f}; contempt not scored).")


if __name__ == "__main__":
    main()
