#!/usr/bin/env bash
# On-demand full-size check of one model: kiln vs PyTorch on the same seeded files.
#   tools/reference/check_full.sh MODEL [THREADS]
# Env: KILN (default .build/release/kiln, relative to the repo root), RUNS (10),
#      ATOL (1e-4), PYTHON (python3), KEEP=1 keeps the temp dir.
set -euo pipefail

MODEL=${1:?usage: check_full.sh MODEL [THREADS]}
THREADS=${2:-$(nproc)}
RUNS=${RUNS:-10}
ATOL=${ATOL:-1e-4}
PYTHON=${PYTHON:-python3}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
KILN=${KILN:-.build/release/kiln}
case "$KILN" in /*) ;; *) [ -e "$KILN" ] || KILN="$ROOT/$KILN" ;; esac
if [ ! -x "$KILN" ]; then
    echo "check_full.sh: kiln binary not found at $KILN" >&2
    echo "  build it with 'swift build -c release' in $ROOT, or set KILN=/path/to/kiln" >&2
    exit 2
fi
KILN=$(cd "$(dirname "$KILN")" && pwd)/$(basename "$KILN")

TMP=$(mktemp -d)
[ "${KEEP:-0}" = 1 ] && echo "temp dir: $TMP" || trap 'rm -rf "$TMP"' EXIT
REF=("$PYTHON" "$HERE/kiln_ref.py")

"${REF[@]}" weights --model "$MODEL" --seed 1 --out "$TMP/w.safetensors" >/dev/null
"${REF[@]}" input --seed 2 --shape 1,3,224,224 --out "$TMP/i.safetensors" >/dev/null

# the "median: <float> ms" line (falls back to "time: <float> ms")
ms() { awk '$1 == "median:" && $3 == "ms" { m = $2 } $1 == "time:" && $3 == "ms" { t = $2 }
            END { print (m != "") ? m : (t != "") ? t : "n/a" }' "$1"; }

echo "== kiln run $MODEL (threads $THREADS, runs $RUNS)"
t0=$(date +%s.%N)
(cd "$ROOT" && "$KILN" run "$MODEL" --weights "$TMP/w.safetensors" --input "$TMP/i.safetensors" \
    --output "$TMP/kiln.safetensors" --threads "$THREADS" --runs "$RUNS") | tee "$TMP/kiln.log"
t1=$(date +%s.%N)
echo "kiln wall time (incl. compile/load): $(awk "BEGIN { printf \"%.0f\", ($t1 - $t0) * 1000 }") ms"

echo "== torch run $MODEL (threads $THREADS, runs $RUNS)"
"${REF[@]}" run --model "$MODEL" --weights "$TMP/w.safetensors" --input "$TMP/i.safetensors" \
    --output "$TMP/torch.safetensors" --threads "$THREADS" --runs "$RUNS" | tee "$TMP/torch.log"

echo "== compare (kiln vs torch, atol $ATOL)"
status=0
"${REF[@]}" compare "$TMP/kiln.safetensors" "$TMP/torch.safetensors" --atol "$ATOL" \
    | tee "$TMP/compare.log" || status=$?
DIFF=$(grep -Eo 'max abs diff: [^ ]+' "$TMP/compare.log" | awk '{print $4}')
echo "SUMMARY model=$MODEL threads=$THREADS max_abs_diff=${DIFF:-n/a} kiln_ms=$(ms "$TMP/kiln.log") torch_ms=$(ms "$TMP/torch.log") $([ $status = 0 ] && echo OK || echo FAIL)"
exit $status
