#!/usr/bin/env bash
# Issue 19's checks on a real NVIDIA GPU, in one slot of about 9 minutes:
#   (a) nvidia-smi
#   (b) @convkit/backend-cuda's tests with CONVKIT_CUDA_TEST=gpu (a missing GPU fails instead of
#       falling back to the emulator); the GPU addon is built first only where it is missing
#   (c) the webgpu cases of the backend conformance suite through Dawn on the NVIDIA Vulkan driver
#       (VK_ICD_FILENAMES unset, so @convkit/backend takes the hardware adapter), after printing
#       the adapter Dawn finds
#   (d) the bench: LeNet-5 step, AlexNet training step, VGG-16 forward on cuda, webgpu and PyTorch CUDA
# Each step has its own timeout and the whole run a deadline (a step gets what is left of it);
# a summary table comes last. It assumes the repository is installed and built (`pnpm install`,
# `pnpm build`); missing build outputs are named before anything runs.
#
#   tooling/gpu/check.sh [--dry-run] [--quick] [--steps smi,cuda,webgpu,bench] [--out DIR]
#
# --dry-run prints the steps, their timeouts and commands, and runs nothing.
# --quick   passes --quick to the bench (indicative numbers, a shorter bench step).
# --out     where the logs and the bench's RESULTS file go (default: $OUT when set, else a temporary folder).
# Timeouts in seconds, from the environment: GPU_CHECK_TOTAL (540), GPU_CHECK_T_SMI (20),
# GPU_CHECK_T_ADDON (150, only where the addon is missing), GPU_CHECK_T_CUDA (120), GPU_CHECK_T_ADAPTER (30),
# GPU_CHECK_T_WEBGPU (120), GPU_CHECK_T_BENCH (240): 530 s without the addon build.
set -u -o pipefail
export NO_COLOR=1 # plain logs: the checks below grep them

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT" || exit 2

DRY=0
QUICK=0
STEPS="smi,cuda,webgpu,bench"
OUT_DIR="${OUT:-}"
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) DRY=1 ;;
    --quick) QUICK=1 ;;
    --steps) STEPS="${2:?--steps needs a list: smi,cuda,webgpu,bench}"; shift ;;
    --steps=*) STEPS="${1#--steps=}" ;;
    --out) OUT_DIR="${2:?--out needs a folder}"; shift ;;
    --out=*) OUT_DIR="${1#--out=}" ;;
    -h | --help) sed -n '2,21p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "check.sh: unknown option $1 (use --dry-run, --quick, --steps LIST, --out DIR)" >&2; exit 2 ;;
  esac
  shift
done
for s in ${STEPS//,/ }; do
  case "$s" in smi | cuda | webgpu | bench) ;; *) echo "check.sh: --steps: unknown step $s (use smi, cuda, webgpu, bench)" >&2; exit 2 ;; esac
done
wanted() { case ",$STEPS," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }

TOTAL="${GPU_CHECK_TOTAL:-540}"
T_SMI="${GPU_CHECK_T_SMI:-20}"
T_ADDON="${GPU_CHECK_T_ADDON:-150}"
T_CUDA="${GPU_CHECK_T_CUDA:-120}"
T_ADAPTER="${GPU_CHECK_T_ADAPTER:-30}"
T_WEBGPU="${GPU_CHECK_T_WEBGPU:-120}"
T_BENCH="${GPU_CHECK_T_BENCH:-240}"

if [ "$DRY" = 1 ]; then
  OUT_DIR="${OUT_DIR:-<temporary folder>}"
else
  OUT_DIR="${OUT_DIR:-$(mktemp -d -t convkit-gpu-check.XXXXXX)}"
  mkdir -p "$OUT_DIR"
fi

VITEST="$ROOT/node_modules/.bin/vitest"
# vitest's closing line when at least one test passed ("Tests  12 passed (12)", "Tests  1 failed | 11 passed").
PASSED="Tests .*[0-9]+ passed"
CUDA_ADDON="packages/backend-cuda/build/Release/convkit_cuda.node"
BENCH_ARGS=(--only lenet5,alexnet-train,vgg16 --backends cuda,webgpu,torch-cuda --out "$OUT_DIR/bench-results.md")
[ "$QUICK" = 1 ] && BENCH_ARGS+=(--quick)

NAMES=()
STATUS=()
SECONDS_TAKEN=()
STARTED_AT=$(date +%s)

# run_step NAME TIMEOUT [--fail-if REGEX] [--need REGEX] -- COMMAND...: runs COMMAND with at most TIMEOUT
# seconds (less if the deadline is nearer), its output in OUT_DIR/NAME.log (the last lines printed). A line
# matching --fail-if fails the step, and so does no line matching --need (a filter that ran no test passes).
run_step() {
  local name="$1" limit="$2" fail_if="" need=""
  shift 2
  while [ "$1" != "--" ]; do
    case "$1" in
      --fail-if) fail_if="$2" ;;
      --need) need="$2" ;;
    esac
    shift 2
  done
  shift
  local left=$((TOTAL - ($(date +%s) - STARTED_AT)))
  [ "$left" -lt "$limit" ] && limit="$left"
  echo
  echo "== $name (timeout ${limit}s): $*"
  NAMES+=("$name")
  if [ "$DRY" = 1 ]; then
    STATUS+=("dry-run"); SECONDS_TAKEN+=("-"); return 0
  fi
  if [ "$limit" -lt 15 ]; then
    echo "   skipped: ${left}s left of the ${TOTAL}s deadline"
    STATUS+=("SKIPPED (no time left)"); SECONDS_TAKEN+=("0"); return 1
  fi
  local log="$OUT_DIR/$name.log" start rc
  start=$(date +%s)
  timeout --kill-after=10 "$limit" "$@" >"$log" 2>&1
  rc=$?
  SECONDS_TAKEN+=("$(($(date +%s) - start))")
  tail -n 25 "$log" | sed 's/^/   /'
  if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
    STATUS+=("TIMEOUT after ${limit}s")
  elif [ "$rc" != 0 ]; then
    STATUS+=("FAIL (exit $rc)")
  elif [ -n "$fail_if" ] && grep -Eq "$fail_if" "$log"; then
    STATUS+=("FAIL ($(grep -Eo "$fail_if" "$log" | head -n 1))")
    rc=1
  elif [ -n "$need" ] && ! grep -Eq "$need" "$log"; then
    STATUS+=("FAIL (no line /$need/)")
    rc=1
  else
    STATUS+=("ok")
  fi
  return "$rc"
}

# What must be built before the steps run: named now, so a slot is not spent finding out.
missing=()
for f in node_modules/.bin/vitest packages/backend/dist/node.js packages/backend-cuda/dist/index.js tooling/bench/dist/run.js; do
  [ -e "$f" ] || missing+=("$f")
done
echo "convkit GPU check: steps $STEPS, deadline ${TOTAL}s, logs in $OUT_DIR"
if [ "${#missing[@]}" -gt 0 ]; then
  echo "not built here: ${missing[*]} (run pnpm install and pnpm build first)"
  [ "$DRY" = 1 ] || exit 2
fi

wanted smi && run_step smi "$T_SMI" -- nvidia-smi

if wanted cuda; then
  if [ ! -e "$CUDA_ADDON" ] || [ "$DRY" = 1 ]; then
    # Built at install where nvcc is; a machine installed without it builds here (sm_80, sm_90 and PTX).
    [ -e "$CUDA_ADDON" ] && echo && echo "(the GPU addon is built: the next step runs only where it is missing)"
    run_step cuda-addon "$T_ADDON" -- node packages/backend-cuda/scripts/install.mjs --strict
  fi
  run_step cuda "$T_CUDA" --need "$PASSED" -- env -C packages/backend-cuda CONVKIT_CUDA_TEST=gpu "$VITEST" run
fi

if wanted webgpu; then
  if run_step webgpu-adapter "$T_ADAPTER" -- env -u VK_ICD_FILENAMES node tooling/gpu/adapter.mjs; then
    # The suite tests every backend that starts (harness.ts backendsUnderTest); -t keeps the webgpu cases.
    # Outside CI a backend that does not start is skipped with a warning: here that is a failure.
    run_step webgpu "$T_WEBGPU" --fail-if "conformance: webgpu skipped" --need "$PASSED" -- \
      env -u VK_ICD_FILENAMES -C tooling/backend-conformance "$VITEST" run -t webgpu
  else
    # On a software adapter the suite says nothing about the GPU and takes minutes: its time goes to the bench.
    NAMES+=(webgpu); STATUS+=("SKIPPED (no GPU adapter)"); SECONDS_TAKEN+=("0")
  fi
fi

if wanted bench; then
  # `pnpm bench -- …` would first rebuild through turbo: the built runner directly, same options.
  run_step bench "$T_BENCH" -- env -u VK_ICD_FILENAMES node tooling/bench/dist/run.js "${BENCH_ARGS[@]}"
fi

echo
echo "== summary ($(($(date +%s) - STARTED_AT))s of ${TOTAL}s)"
printf '%-16s %-28s %s\n' step status seconds
failed=0
for i in "${!NAMES[@]}"; do
  printf '%-16s %-28s %s\n' "${NAMES[$i]}" "${STATUS[$i]}" "${SECONDS_TAKEN[$i]}"
  case "${STATUS[$i]}" in ok | dry-run) ;; *) failed=1 ;; esac
done
if [ "$DRY" = 0 ] && [ -f "$OUT_DIR/bench-results.md" ]; then
  echo
  echo "== bench results ($OUT_DIR/bench-results.md)"
  grep -E '^\||^#' "$OUT_DIR/bench-results.md"
fi
exit "$failed"
