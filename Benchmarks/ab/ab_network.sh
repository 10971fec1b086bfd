#!/bin/bash
# A/B of two builds of Kiln on one whole network, in one process (Benchmarks/README.md, "A/B").
#
#   A_TEMPLATES=/tmp/old-templates Benchmarks/ab/ab_network.sh resnet50 [PAIRS] [ROUNDS]
#   A_KILN=/tmp/kiln-old Benchmarks/ab/ab_network.sh resnet50
#
# Side A and side B are each a kiln binary (A_KILN, B_KILN; default .build/release/kiln) and
# a template folder (A_TEMPLATES, B_TEMPLATES; default templates/). EMIT_FLAGS (default
# --target-cpu native) go to both sides' `kiln emit`. Each side is emitted twice
# (as symbol prefixes ma_ and mb_) with seeded weights; two drivers run A then B alternately,
# one with A in the first slot and one with B there, since the slot alone moved times by up
# to 2.5% on this VM. Prints each run and the geometric mean of the per-pair medians of B/A.
set -euo pipefail
model=${1:?usage: ab_network.sh MODEL [PAIRS] [ROUNDS]}
pairs=${2:-60}
rounds=${3:-2}
threads=${THREADS:-2}
root=$(cd "$(dirname "$0")/../.." && pwd)
a_kiln=${A_KILN:-$root/.build/release/kiln}
b_kiln=${B_KILN:-$root/.build/release/kiln}
a_templates=${A_TEMPLATES:-$root/templates}
b_templates=${B_TEMPLATES:-$root/templates}
cc=${CC:-clang}
libomp=$(ls -d /usr/lib/llvm-*/lib 2>/dev/null | sort -V | tail -1)
omp=${OPENMP_FLAGS:--fopenmp=libomp}
omp_link=${OPENMP_LIBS:--L$libomp -Wl,-rpath,$libomp}
# Scheduled for this CPU, as the JIT does (the portable default plans for 8 lanes whatever the CPU).
emit_flags=${EMIT_FLAGS:---target-cpu native}
work=$(mktemp -d "${TMPDIR:-/tmp}/kiln-ab.XXXXXX")
trap 'rm -rf "$work"' EXIT

# emit DIR PREFIX KILN TEMPLATES: one library, compiled to DIR/lib.a
emit() {
    KILN_TEMPLATES=$4 "$3" emit "$model" --name "$2" --out "$work/$1" --threads "$threads" --random-weights $emit_flags >/dev/null
    (cd "$work/$1" && $cc -O3 -march=native $omp -I. -Isrc -c src/*.c && ar rcs lib.a ./*.o)
}
emit a1 ma "$a_kiln" "$a_templates" & emit b2 mb "$b_kiln" "$b_templates" & wait
emit b1 ma "$b_kiln" "$b_templates" & emit a2 mb "$a_kiln" "$a_templates" & wait
driver="$root/Benchmarks/ab/ab_driver.c"
$cc -O3 -I"$work/a1" -I"$work/b2" "$driver" "$work/a1/lib.a" "$work/b2/lib.a" $omp $omp_link -lm -o "$work/a_first"
$cc -O3 -I"$work/b1" -I"$work/a2" "$driver" "$work/b1/lib.a" "$work/a2/lib.a" $omp $omp_link -lm -o "$work/b_first"

ratios=()
for _ in $(seq "$rounds"); do
    line=$("$work/a_first" "$pairs" "$threads" "$work/a1/ma.weights" "$work/b2/mb.weights")
    echo "A in slot 1: $line"
    ratios+=("$(sed -E 's/.*, ([0-9.]+) median per pair.*/\1/' <<<"$line")")
    line=$("$work/b_first" "$pairs" "$threads" "$work/b1/ma.weights" "$work/a2/mb.weights")
    echo "B in slot 1 (so its B/A is A/B): $line"
    ratios+=("$(sed -E 's/.*, ([0-9.]+) median per pair.*/\1/' <<<"$line" | awk '{print 1 / $1}')")
done
printf '%s\n' "${ratios[@]}" | awk -v m="$model" '{ s += log($1); n++ } END { printf "%s: B/A %.3f (geometric mean of %d per-pair medians, both slots)\n", m, exp(s / n), n }'
