#!/usr/bin/env bash
# Builds the libFuzzer harnesses (tests/fuzz/, cmake/fuzz.cmake) with clang + ASan + UBSan in build-fuzz/
# and runs each one on a copy of its seed corpus, one after the other.
#
#   scripts/fuzz.sh [--seconds N] [--runs N] [--seed N] [--no-build] [--build-only] [HARNESS...]
#
#   --seconds N   fuzz each harness for N seconds (default 20); with --runs, an upper bound on the time
#   --runs N      fuzz each harness for N executions instead (one process: stops at the first finding)
#   --seed N      libFuzzer's random seed: with --runs, the same inputs on every machine (CI's smoke run)
#   --no-build    use the harnesses already in build-fuzz/fuzz/
#   --build-only  configure and build, run nothing
#   HARNESS       fuzz_au_file, au_file, ... (default: every harness that cmake/fuzz.cmake defines)
#
# Each run uses -rss_limit_mb=2048 -timeout=1 (10 with --runs) and libFuzzer's fork mode with -ignore_crashes (and
# timeouts, OOMs), so that one bug does not hide the next for the rest of the time. Everything a run
# leaves goes to out/fuzz/<harness>/: corpus/ (the seeds plus what it found), crash-*, leak-*,
# timeout-*, oom-* (reproducers: `build-fuzz/fuzz/<harness> FILE` replays one), fuzz.log, and
# findings.txt (one line per reproducer: its kind and top stack frame in auhead's code). Those of an
# earlier run move to out/fuzz/<harness>/previous-<time>/.
# Prints one line per harness and exits 1 if any harness found a crash, leak, timeout or OOM.
#
# Environment: BUILD_DIR (build-fuzz), CXX (clang++), AUHEAD_FUZZ_BUILD_JOBS (ninja -j; default
# nproc), AUHEAD_FUZZ_ORACLES=0 (crash-only: no round-trip / grammar oracles), AUHEAD_FUZZ_IGNORE=
# 'text|...' (exceptions whose message holds one of these count as rejections: a known finding then
# does not hide the next; tests/fuzz/README.md).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

seconds=20
seconds_given=0
runs=""
seed=""
build=1
run=1
harnesses=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; seconds_given=1; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    --build-only) run=0; shift ;;
    -h|--help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) h="$1"; [[ "$h" == fuzz_* ]] || h="fuzz_$h"; harnesses+=("$h"); shift ;;
  esac
done

BUILD_DIR=${BUILD_DIR:-build-fuzz}
if [ ${#harnesses[@]} -eq 0 ]; then
  mapfile -t harnesses < <(sed -n 's/^auhead_fuzz_harness(\(fuzz_[a-z0-9_]*\).*/\1/p' cmake/fuzz.cmake)
fi

if [ "$build" = 1 ]; then
  if [ ! -f "$BUILD_DIR/build.ninja" ] || ! grep -q '^AUHEAD_FUZZ:BOOL=ON' "$BUILD_DIR/CMakeCache.txt" 2>/dev/null; then
    CXX=${CXX:-clang++} cmake -S . -B "$BUILD_DIR" -G Ninja -DAUHEAD_FUZZ=ON -DAUHEAD_BUILD_TESTS=OFF \
      -DAUHEAD_BUILD_BENCH=OFF >/dev/null || { echo "fuzz.sh: configuring $BUILD_DIR failed" >&2; exit 2; }
  fi
  start=$(date +%s)
  ninja -C "$BUILD_DIR" -j "${AUHEAD_FUZZ_BUILD_JOBS:-$(nproc)}" "${harnesses[@]}" ||
    { echo "fuzz.sh: build failed" >&2; exit 2; }
  echo "fuzz.sh: built ${harnesses[*]} in $(( $(date +%s) - start )) s" >&2
fi
[ "$run" = 1 ] || exit 0

# libtorch, OpenCV and ICU are not instrumented: std::vector's container-overflow annotations are off
# in libstdc++ unless asked for, so nothing here needs detect_container_overflow=0; ODR checks are
# off because the harnesses compile a few of libauhead's files that a system library never defines.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_odr_violation=0:allocator_may_return_null=0:abort_on_error=0:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$ROOT/tests/fuzz/lsan.supp:print_suppressions=0}

# The seed corpus and dictionary of a harness: tests/fuzz/corpus/<reader>/, tests/fuzz/<reader>.dict.
reader_of() { echo "${1#fuzz_}"; }

# "kind | top frame in auhead's code" of one reproducer, replayed alone.
signature() {
  local bin="$1" input="$2" log
  log=$(env -u AUHEAD_FUZZ_IGNORE TMPDIR="$ROOT/$out/tmp" ASAN_OPTIONS="$ASAN_OPTIONS:fast_unwind_on_malloc=0" \
        timeout 60 "$bin" -rss_limit_mb=2048 -timeout=20 "$input" 2>&1)
  local kind frame
  kind=$(printf '%s\n' "$log" | grep -m1 -oE 'ERROR: AddressSanitizer: [a-z-]+|ERROR: LeakSanitizer: [a-z ]+|runtime error: .{0,60}|ORACLE FAILED: .{0,60}|what\(\): +.{0,80}|ERROR: libFuzzer: [a-z-]+|out-of-memory \([a-z]+|timeout after')
  frame=$(printf '%s\n' "$log" | grep -E '^ +#[0-9]+ .* in .*(/src/|/tests/fuzz/|/include/auhead/)' |
          grep -v -E 'LLVMFuzzerTestOneInput|fuzz_util\.h' | head -1 |
          sed -E 's/^ +#[0-9]+ 0x[0-9a-f]+ in //; s/\(.*\)( const)? /() /; s|'"$ROOT"'/||')
  [ -n "$frame" ] || frame=$(printf '%s\n' "$log" | grep -m1 -E 'LLVMFuzzerTestOneInput' | sed -E 's|.*'"$ROOT"'/||')
  # Messages differ by the numbers and quoted text in them; the finding is the same.
  kind=$(printf '%s' "$kind" | sed -E "s/'[^']*('|\$)/'…'/g; s/[0-9]+(\.[0-9]+)?(e[-+]?[0-9]+)?/N/g")
  # A timeout or OOM that a loaded machine caused may not recur alone: say so, with the file's kind.
  [ -n "$kind" ] || kind="$(basename "$input" | cut -d- -f1), not reproduced when replayed alone"
  echo "$kind | ${frame:-?}"
}

failed=0
printf '%-24s %12s %8s %8s %8s %8s %s\n' harness executions cov ft crashes distinct status
for h in "${harnesses[@]}"; do
  bin="$BUILD_DIR/fuzz/$h"
  out="out/fuzz/$h"
  reader=$(reader_of "$h")
  if [ ! -x "$bin" ]; then
    printf '%-24s %12s %8s %8s %8s %8s %s\n' "$h" - - - - - "not built"
    failed=1
    continue
  fi
  mkdir -p "$out"
  # A previous run's reproducers and log move aside, so that the counts below are this run's.
  old=$(ls "$out" | grep -E '^(crash|leak|timeout|oom|slow-unit)-|^fuzz\.log$|^findings\.txt$' || true)
  if [ -n "$old" ]; then
    prev="$out/previous-$(date +%Y%m%d-%H%M%S)"
    mkdir -p "$prev"
    for f in $old; do mv "$out/$f" "$prev/"; done
  fi
  rm -rf "$out/corpus"
  mkdir -p "$out/corpus"
  [ -d "tests/fuzz/corpus/$reader" ] && cp -r "tests/fuzz/corpus/$reader/." "$out/corpus/"
  args=(-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$out/")
  [ -f "tests/fuzz/$reader.dict" ] && args+=(-dict="tests/fuzz/$reader.dict")
  [ -n "$seed" ] && args+=(-seed="$seed")
  if [ -n "$runs" ]; then
    # -runs counts the executions of one process: no fork mode, so the first finding ends the run.
    # The smoke run's inputs are fixed: it looks for crashes and hangs, not for units that a loaded
    # machine makes slower than a second, so its timeout is 10 s.
    args+=(-timeout=10 -runs="$runs")
    [ "$seconds_given" = 1 ] && args+=(-max_total_time="$seconds")
  else
    args+=(-timeout=1 -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 -max_total_time="$seconds")
  fi
  # Scratch files of path-based readers (a crashed job leaves its folder behind) stay under out/.
  mkdir -p "$out/tmp"
  TMPDIR="$ROOT/$out/tmp" "$bin" "${args[@]}" "$out/corpus" >"$out/fuzz.log" 2>&1
  status=$?
  # Fork mode's progress lines ("#N: cov: C ft: F corp: ...") or the single process's ("#N ... cov: C ft: F").
  last=$(grep -E '^#[0-9]+:?[[:space:]].*cov: [0-9]+ ft: [0-9]+' "$out/fuzz.log" | tail -1)
  execs=$(printf '%s' "$last" | sed -nE 's/^#([0-9]+).*/\1/p')
  stat_execs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$out/fuzz.log" | tail -1)
  [ -n "$runs" ] && [ -n "$stat_execs" ] && execs=$stat_execs
  cov=$(printf '%s' "$last" | sed -nE 's/.*cov: ([0-9]+).*/\1/p')
  ft=$(printf '%s' "$last" | sed -nE 's/.*ft: ([0-9]+).*/\1/p')
  mapfile -t found < <(ls "$out" | grep -E '^(crash|leak|timeout|oom)-' | sort)
  : >"$out/findings.txt"
  for f in "${found[@]:0:100}"; do
    printf '%s\t%s\n' "$(signature "$bin" "$out/$f")" "$out/$f" >>"$out/findings.txt"
  done
  distinct=$(cut -f1 "$out/findings.txt" | sort -u | grep -c . || true)
  rm -rf "$out/tmp"
  crashes=${#found[@]}
  [ "$crashes" -gt 0 ] || [ "$status" -ne 0 ] && failed=1
  printf '%-24s %12s %8s %8s %8s %8s %s\n' "$h" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$crashes" "$distinct" "exit $status"
  if [ "$crashes" -gt 0 ]; then
    cut -f1 "$out/findings.txt" | sort | uniq -c | sort -rn | sed 's/^/    /'
  fi
done
exit $failed
