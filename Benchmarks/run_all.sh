#!/usr/bin/env bash
# Benchmarks/run_all.sh [THREADS] [RUNS]
#
# Runs `kiln bench` on the nine seed networks at BATCHx3x224x224 (seed 1, input seed 2),
# each against ONNX Runtime and PyTorch on the same thread count, and appends one section to
# Benchmarks/RESULTS.md: date, commit, thread count, the machine (from `kiln bench`'s peak
# line) and a table row per network. THREADS defaults to nproc, RUNS to 10.
#
# Environment: BATCH (default 1), KILN (default .build/release/kiln; build it with `swift build -c release`),
# MODELS (a space-separated subset), RESULTS (default Benchmarks/RESULTS.md), LOGS (a folder
# to keep each model's full output in; default a temporary one, printed at the end), TUNING (a
# tuning file every compile reads; default none: the schedule pass's own picks), TUNE=1 (tune
# each network into TUNING first, `kiln bench --tune`).
set -uo pipefail
cd "$(dirname "$0")/.."

THREADS=${1:-$(nproc)}
RUNS=${2:-10}
BATCH=${BATCH:-1}
KILN=${KILN:-.build/release/kiln}
MODELS=${MODELS:-"resnet50 se_resnet50 eca_resnet50 epsanet50 epsanet101 sa_resnet50 van_b0 van_b1 van_b2"}
RESULTS=${RESULTS:-Benchmarks/RESULTS.md}
LOGS=${LOGS:-$(mktemp -d "${TMPDIR:-/tmp}/kiln-bench-logs.XXXXXX")}
mkdir -p "$LOGS"
TUNING=${TUNING:-}
tuning_flags=(--no-tuning)
[ -n "$TUNING" ] && tuning_flags=(--tuning-file "$TUNING")
if [ "${TUNE:-0}" = 1 ]; then
    [ -n "$TUNING" ] || { echo "run_all.sh: TUNE=1 needs TUNING=FILE to tune into" >&2; exit 2; }
    tuning_flags+=(--tune)
fi

if [ ! -x "$KILN" ]; then
    echo "run_all.sh: no kiln binary at $KILN; build it with 'swift build -c release' (or set KILN)" >&2
    exit 2
fi

# The commit and the working tree as they are when the runs start (the JIT reads templates/ then).
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if ! git diff --quiet HEAD -- Sources templates Package.swift 2>/dev/null; then
    commit="$commit + uncommitted changes to Sources/templates"
fi
started=$(date -u '+%Y-%m-%d %H:%M UTC')
plural=$([ "$THREADS" = 1 ] && echo thread || echo threads)

rows=$(mktemp)
trap 'rm -f "$rows"' EXIT
failed=""
for model in $MODELS; do
    echo "=== $model ($THREADS threads, $RUNS runs, batch $BATCH)"
    if ! "$KILN" bench "$model" --threads "$THREADS" --runs "$RUNS" --batch "$BATCH" --size 224 \
            --append-row "$rows" "${tuning_flags[@]}" 2>&1 | tee "$LOGS/$model.log"; then
        failed="$failed $model"
        echo "| $model | $BATCH×224² | failed: $(tail -n 1 "$LOGS/$model.log" | tr '|' '/') |" >> "$rows"
    fi
done

first=$(ls "$LOGS"/*.log 2>/dev/null | head -n 1)
peak=$(grep -m1 '^peak: ' "$first" 2>/dev/null | sed 's/^peak: //')
versions=$(grep -m2 -oE '\((onnxruntime|torch) [^)]*\)' "$first" 2>/dev/null | tr -d '()' | paste -sd, - | sed 's/,/, /')
{
    echo
    echo "### $started, commit $commit, $THREADS $plural, $RUNS runs$([ "$BATCH" = 1 ] || echo ", batch $BATCH")$([ -n "$TUNING" ] && echo ", tuned schedules (--tune)")"
    echo
    echo "Machine: ${peak:-unknown}; $(nproc) cores online. Peers: ${versions:-unknown}."
    echo
    echo "| model | input | Kiln ms | ORT ms | PyTorch ms | Kiln/ORT (min; per round) | Kiln/PyTorch (min; per round) | Kiln GFLOP/s (% of peak) | compile cold / hit s | max abs diff Kiln–PyTorch | others' load K / O / P |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|"
    cat "$rows"
} >> "$RESULTS"

echo "appended $(wc -l < "$rows") rows to $RESULTS; full outputs in $LOGS"
if [ -n "$failed" ]; then
    echo "failed:$failed" >&2
    exit 1
fi
