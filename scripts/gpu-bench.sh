#!/usr/bin/env bash
# Issue #7's GPU measurement as one command: builds bench_diffusion alone against the libtorch inside the
# installed CUDA PyTorch (own build folder, cmake/diffusion_bench_only.cmake) and records the per-step
# latency of the SD-1.5-sized models with random weights at 512x512 x 16 frames, in bf16 and fp32.
#
#   bash scripts/gpu-bench.sh --prepare     # here, once: copies the nlohmann/json header into .gpu-deps/
#   bash scripts/gpu-bench.sh [-o FILE]     # on the GPU machine (.gpu-deps/ carried); FILE: out/gpu-bench.txt
#
# Environment: BUILD_DIR (build-gpu), JOBS (all cores), PYTHON (python3), SIZE (512), FRAMES (16),
# STEPS (5 timed runs), WARMUP (2), DTYPES ("bf16 fp32"), ADAPTERS ("au none": with the AU adapter's
# three guidance branches, then without), PRESET (sd15). DEVICE=cpu with TORCH_PREFIX=<a CMake prefix of
# libtorch> (and PRESET=tiny) checks the plumbing on a machine without a GPU or PyTorch. A missing tool
# or library exits 5, naming it.
set -euo pipefail
cd "$(dirname "$0")/.."

RESULT=out/gpu-bench.txt
case "${1:-}" in
  --prepare)
    src=/usr/include/nlohmann
    [ -f "$src/json.hpp" ] || { echo "gpu-bench: $src/json.hpp not found (Debian: nlohmann-json3-dev)" >&2; exit 5; }
    mkdir -p .gpu-deps/include
    cp -r "$src" .gpu-deps/include/
    echo "gpu-bench: copied $src into .gpu-deps/include; carry .gpu-deps to the GPU machine"
    exit 0 ;;
  -o) RESULT=${2:?-o needs a file}; shift 2 ;;
  "") ;;
  *) echo "usage: bash scripts/gpu-bench.sh [--prepare | -o FILE]" >&2; exit 2 ;;
esac

BUILD_DIR=${BUILD_DIR:-build-gpu}
JOBS=${JOBS:-$(nproc)}
PYTHON=${PYTHON:-python3}
SIZE=${SIZE:-512}
FRAMES=${FRAMES:-16}
STEPS=${STEPS:-5}
WARMUP=${WARMUP:-2}
DTYPES=${DTYPES:-bf16 fp32}
ADAPTERS=${ADAPTERS:-au none}
DEVICE=${DEVICE:-cuda}
PRESET=${PRESET:-sd15}
mkdir -p "$BUILD_DIR"

missing=()
need() { missing+=("$1"); }
# pip's cmake and ninja live beside its python (a virtual environment's bin/).
py=$(command -v "$PYTHON" || true)
[ -n "$py" ] && PATH="$(dirname "$py"):$PATH"

# --- what the build needs ---------------------------------------------------------------------------
command -v cmake >/dev/null || need "cmake >= 3.25 (pip: cmake)"
if command -v cmake >/dev/null; then
  v=$(cmake --version | head -1 | awk '{print $3}')
  printf '3.25\n%s\n' "$v" | sort -V -C || need "cmake >= 3.25 (found $v)"
fi
CXX=${CXX:-$(command -v g++ || command -v c++ || true)}
[ -n "$CXX" ] || need "a C++20 compiler (g++ >= 10)"
generator=(-G Ninja)
command -v ninja >/dev/null || generator=(-G "Unix Makefiles")

cmake_args=()
if [ -n "${TORCH_PREFIX:-}" ]; then
  prefix=$TORCH_PREFIX
  torch_info="libtorch at $prefix (no PyTorch asked)"
else
  prefix=""
  if ! info=$("$PYTHON" - 2>"$BUILD_DIR/python.log" <<'EOF'
import torch
print(torch.utils.cmake_prefix_path)
print(f"PyTorch {torch.__version__}, CUDA {torch.version.cuda}, cuDNN {torch.backends.cudnn.version()}, "
      f"_GLIBCXX_USE_CXX11_ABI={int(torch._C._GLIBCXX_USE_CXX11_ABI)}, GPU visible: {torch.cuda.is_available()}")
print(torch.version.cuda or "")
print(int(torch.cuda.is_available()))
print("%d.%d" % torch.cuda.get_device_capability() if torch.cuda.is_available() else "")
EOF
  ); then
    need "PyTorch for $PYTHON ('import torch' fails: $(tail -1 "$BUILD_DIR/python.log" 2>/dev/null)); or set TORCH_PREFIX"
  else
    mapfile -t lines <<<"$info"
    prefix=${lines[0]}
    torch_info=${lines[1]}
    torch_cuda=${lines[2]}
    gpu_seen=${lines[3]}
    capability=${lines[4]}
    if [ "$DEVICE" = cuda ]; then
      [ -n "$torch_cuda" ] || need "a CUDA build of PyTorch (this one is CPU-only: $torch_info)"
      [ "$gpu_seen" = 1 ] || need "a GPU that PyTorch sees (torch.cuda.is_available() is False; nvidia-smi: $(nvidia-smi -L 2>&1 | head -1))"
      [ -n "$capability" ] && cmake_args+=(-DTORCH_CUDA_ARCH_LIST="$capability")
    fi
  fi
fi

if [ "$DEVICE" = cuda ] && [ -z "${TORCH_PREFIX:-}" ]; then
  # libtorch's CMake config looks for the CUDA toolkit (nvcc, headers) and for cuDNN when PyTorch
  # was built with them; pip installs cuDNN as a Python package, with no unversioned libcudnn.so.
  nvcc=$(command -v nvcc || ls /usr/local/cuda/bin/nvcc 2>/dev/null || true)
  if [ -z "$nvcc" ]; then
    need "the CUDA toolkit's nvcc (libtorch's CMake config needs it: put it on PATH or install cuda-toolkit)"
  else
    root=$(dirname "$(dirname "$(readlink -f "$nvcc")")")
    cmake_args+=(-DCMAKE_CUDA_COMPILER="$nvcc" -DCUDAToolkit_ROOT="$root" -DCUDA_TOOLKIT_ROOT_DIR="$root")
  fi
  pkg_dir() { "$PYTHON" -c "import nvidia.$1 as m; print(list(m.__path__)[0])" 2>/dev/null || true; }
  cudnn=$(pkg_dir cudnn)
  if [ -n "$cudnn" ]; then
    libs=("$cudnn"/lib/libcudnn.so*)
    [ -e "${libs[0]}" ] && cmake_args+=(-DCUDNN_INCLUDE_PATH="$cudnn/include" -DCUDNN_LIBRARY_PATH="${libs[0]}")
  fi
  cusparselt=$(pkg_dir cusparselt)
  if [ -n "$cusparselt" ]; then
    libs=("$cusparselt"/lib/libcusparseLt.so*)
    [ -e "${libs[0]}" ] && cmake_args+=(-DCUSPARSELT_INCLUDE_PATH="$cusparselt/include" -DCUSPARSELT_LIBRARY_PATH="${libs[0]}")
  fi
fi

json_ok=0
for d in /usr/include /usr/local/include .gpu-deps/include "$prefix/../../include"; do
  [ -f "$d/nlohmann/json.hpp" ] && json_ok=1
done
[ $json_ok = 1 ] || need "the nlohmann/json header: run 'bash scripts/gpu-bench.sh --prepare' on the dev machine and carry .gpu-deps"

if [ ${#missing[@]} -gt 0 ]; then
  echo "gpu-bench: cannot build here; missing:" >&2
  printf '  - %s\n' "${missing[@]}" >&2
  exit 5
fi

# --- build ----------------------------------------------------------------------------------------
mkdir -p "$(dirname "$RESULT")"
echo "gpu-bench: $torch_info; configuring $BUILD_DIR against $prefix"
if ! cmake -S . -B "$BUILD_DIR" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER="$CXX" \
     -DAUHEAD_DIFFUSION_BENCH_ONLY=ON -DCMAKE_PREFIX_PATH="$prefix" "${cmake_args[@]}" >"$BUILD_DIR/configure.log" 2>&1; then
  echo "gpu-bench: CMake could not configure against $prefix (whole log: $BUILD_DIR/configure.log):" >&2
  grep -A8 -E "CMake Error|Could NOT find|cannot find" "$BUILD_DIR/configure.log" | head -40 >&2 || tail -30 "$BUILD_DIR/configure.log" >&2
  echo "gpu-bench: CUDA toolkit, cuDNN or cuSPARSELt missing? Pass their paths as CMake would ask above (e.g. CUDAToolkit_ROOT)." >&2
  exit 5
fi
echo "gpu-bench: building bench_diffusion ($JOBS jobs)"
if ! cmake --build "$BUILD_DIR" --target bench_diffusion -j "$JOBS" >"$BUILD_DIR/build.log" 2>&1; then
  echo "gpu-bench: build failed (whole log: $BUILD_DIR/build.log):" >&2
  grep -m5 -B2 -A6 -E "error:|undefined reference" "$BUILD_DIR/build.log" >&2 || tail -30 "$BUILD_DIR/build.log" >&2
  exit 1
fi

# --- measure --------------------------------------------------------------------------------------
{
  echo "# auhead gpu-bench $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo "# $torch_info; compiler $("$CXX" --version | head -1)"
  if command -v nvidia-smi >/dev/null; then
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | sed 's/^/# GPU: /' || true
  fi
  echo "# bench_diffusion --random $PRESET --device $DEVICE --size $SIZE --frames $FRAMES --steps $STEPS --warmup $WARMUP"
} | tee "$RESULT"
status=0
for adapter in $ADAPTERS; do
  for dtype in $DTYPES; do
    flags=(--random "$PRESET" --device "$DEVICE" --dtype "$dtype" --size "$SIZE" --frames "$FRAMES" --steps "$STEPS" --warmup "$WARMUP")
    [ "$adapter" = au ] && flags+=(--au-adapter)
    echo | tee -a "$RESULT"
    label="no AU adapter (two guidance branches)"
    [ "$adapter" = au ] && label="AU adapter (three guidance branches)"
    echo "## $dtype, $label" | tee -a "$RESULT"
    sampler=""
    if [ "$DEVICE" = cuda ] && command -v nvidia-smi >/dev/null; then
      nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 200 >"$BUILD_DIR/gpu-memory.log" 2>/dev/null &
      sampler=$!
    fi
    rc=0
    "$BUILD_DIR/bench/bench_diffusion" "${flags[@]}" 2>&1 | tee -a "$RESULT" || rc=${PIPESTATUS[0]}
    if [ -n "$sampler" ]; then
      kill "$sampler" 2>/dev/null || true
      wait "$sampler" 2>/dev/null || true
      echo "peak GPU memory used (nvidia-smi, whole GPU): $(sort -n "$BUILD_DIR/gpu-memory.log" | tail -1) MiB" | tee -a "$RESULT"
    fi
    [ "$rc" = 0 ] || { echo "exit status $rc" | tee -a "$RESULT"; status=1; }
  done
done
echo "gpu-bench: results in $RESULT"
exit $status
