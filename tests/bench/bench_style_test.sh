#!/bin/bash
# The bench programs' one option style (bench/bench_options.h, bench/bench_report.h): every program
# answers --help (exit 0) and refuses an unknown option (exit 2); with --json its stdout is JSON lines
# whose "bench" names the program. Usage: bench_style_test.sh BUILD_DIR SOURCE_DIR
set -u
build=$1 src=$2
fail=0
check() { if ! eval "$2"; then echo "FAIL: $1"; fail=1; fi; }
for p in "$build"/bench/*; do
  [ -x "$p" ] && [ -f "$p" ] || continue
  name=$(basename "$p")
  "$p" --help > /tmp/bench_style_$$.txt 2>&1; rc=$?
  check "$name --help exits 0 (got $rc)" '[ $rc -eq 0 ]'
  check "$name --help lists --json" 'grep -q -- "--json" /tmp/bench_style_$$.txt'
  "$p" --no-such-option > /dev/null 2>&1; rc=$?
  check "$name --no-such-option exits 2 (got $rc)" '[ $rc -eq 2 ]'
done
rm -f /tmp/bench_style_$$.txt
# One program end to end: JSON lines on stdout, the readable lines on stderr.
out=$("$build/bench/bench_warp" "$src/examples/portrait.jpg" --size 64 --frames 5 --json 2>/dev/null); rc=$?
check "bench_warp --json exits 0 (got $rc)" '[ $rc -eq 0 ]'
check "bench_warp --json writes JSON lines" 'printf "%s\n" "$out" | python3 -c "
import json, sys
lines = [json.loads(l) for l in sys.stdin if l.strip()]
assert lines and all(l[\"bench\"].startswith(\"bench_warp\") for l in lines), lines
speed = [l for l in lines if l[\"bench\"] == \"bench_warp.speed\"]
assert len(speed) == 1 and speed[0][\"frames\"] == 5 and speed[0][\"frames_per_s\"] > 0, speed
"'
text=$("$build/bench/bench_warp" "$src/examples/portrait.jpg" --size 64 --frames 5 2>/dev/null)
check "bench_warp without --json prints its readable line" 'printf "%s\n" "$text" | grep -q "frames/s"'
exit $fail
