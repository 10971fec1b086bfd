#!/usr/bin/env bash
# check.sh — checks the C kernel templates:
#   1. every template compiles alone (-std=c11 -Wall -Wextra -Werror) under gcc and clang,
#      with and without -fopenmp (-Wno-unused-function: alone, a template's kernel is unused);
#   2. no template leaks a helper macro (a #define not named KILN_* must be #undef'd);
#   3. tests/test_kernels.c runs clean under ASan+UBSan (gcc, clang, gcc+OpenMP, KILN_VL 4/16)
#      and at -O3 -march=native -fopenmp (gcc/libgomp, clang/libomp).
# Prints only failures, then one summary line; exits non-zero on any failure.
# Env: GCC, CLANG override the compilers. A missing clang or libomp is skipped with a note.
set -u
cd "$(dirname "$0")"

GCC=${GCC:-gcc}
CLANG=${CLANG:-}
if [ -z "$CLANG" ]; then
    if [ -x /opt/swift/usr/bin/clang ]; then CLANG=/opt/swift/usr/bin/clang
    elif command -v clang >/dev/null; then CLANG=clang; fi
fi
# clang's OpenMP runtime: the newest /usr/lib/llvm-N/lib that has libomp.so (Debian libomp-dev).
OMPDIR=
for d in $(ls -d /usr/lib/llvm-*/lib 2>/dev/null | sort -V -r); do
    if [ -e "$d/libomp.so" ]; then OMPDIR=$d; break; fi
done
OMPINC=$(ls -d "$OMPDIR"/clang/*/include 2>/dev/null | sort -V | tail -n 1)
CLANG_OMP_C="-fopenmp ${OMPINC:+-I$OMPINC}"
CLANG_OMP="$CLANG_OMP_C -L$OMPDIR -Wl,-rpath,$OMPDIR"

WARN="-std=c11 -Wall -Wextra -Werror"
SAN="-g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
steps=0 failed=0 result=

fail() { failed=$((failed + 1)); echo "FAIL: $1"; [ -n "${2:-}" ] && echo "$2"; }
# Runs a command quietly; shows its output only if it fails.
step() {
    local name=$1 out; shift
    steps=$((steps + 1))
    out=$("$@" 2>&1) || fail "$name: $*" "$out"
}
# Builds the harness with the given compiler and flags, runs it, checks its last line.
harness() {
    local name=$1 cc=$2 env=$3 out last; shift 3
    steps=$((steps + 1))
    if ! out=$("$cc" $WARN "$@" tests/test_kernels.c -o "$TMP/t" -lm 2>&1); then
        fail "$name (build): $cc $*" "$out"; return
    fi
    out=$(env $env "$TMP/t" 2>&1); local rc=$?
    last=$(printf '%s\n' "$out" | tail -n 1)
    if [ $rc -ne 0 ] || ! [[ $last =~ ^[0-9]+\ passed,\ 0\ failed$ ]]; then
        fail "$name (run, exit $rc): $cc $*" "$(printf '%s\n' "$out" | grep -v '^ok ')"
    else
        result=$last
    fi
}

compilers=("$GCC")
[ -n "$CLANG" ] && compilers+=("$CLANG") || echo "note: clang not found, clang checks skipped"
[ -z "$OMPDIR" ] && echo "note: no /usr/lib/llvm-*/lib/libomp.so, clang OpenMP checks skipped"
templates=$(find . -name '*.c' -not -path './tests/*' | sort)

# 1. each template alone
for cc in "${compilers[@]}"; do
    echo '#include "kiln_common.h"' >"$TMP/h.c"
    step "kiln_common.h ($cc)" "$cc" $WARN -I. -fsyntax-only "$TMP/h.c"
    for f in $templates; do
        step "$f ($cc)" "$cc" $WARN -Wno-unused-function -O2 -c "$f" -o /dev/null
        if [ "$cc" = "$CLANG" ]; then
            [ -n "$OMPDIR" ] && step "$f ($cc -fopenmp)" "$cc" $WARN -Wno-unused-function -O2 $CLANG_OMP_C -c "$f" -o /dev/null
        else
            step "$f ($cc -fopenmp)" "$cc" $WARN -Wno-unused-function -O2 -fopenmp -c "$f" -o /dev/null
        fi
    done
done

# 2. helper macros: templates are pasted many times into one file, so a #define that is not a
#    KILN_* parameter (helpers use another prefix, e.g. KCG_) must be #undef'd in the same file.
for f in $templates; do
    [ "${f#./runtime/}" != "$f" ] && continue # the runtime wrapper is pasted once
    steps=$((steps + 1))
    for name in $(sed -n 's/^[[:space:]]*#[[:space:]]*define[[:space:]]\{1,\}\([A-Za-z_0-9]*\).*/\1/p' "$f" | sort -u); do
        case $name in KILN_*) continue ;; esac
        grep -Eq "^[[:space:]]*#[[:space:]]*undef[[:space:]]+$name([[:space:]]|\$)" "$f" ||
            fail "$f: helper macro $name is never #undef'd"
    done
done

# 3. the harness
harness "asan+ubsan gcc" "$GCC" "" $SAN
[ -n "$CLANG" ] && harness "asan+ubsan clang" "$CLANG" "" $SAN
harness "asan+ubsan gcc openmp (3 threads)" "$GCC" "OMP_NUM_THREADS=3" $SAN -fopenmp
harness "ubsan gcc KILN_VL=4" "$GCC" "" -O2 -march=native -DKILN_VL=4 -fsanitize=undefined -fno-sanitize-recover=all
harness "ubsan gcc KILN_VL=16" "$GCC" "" -O2 -march=native -DKILN_VL=16 -fsanitize=undefined -fno-sanitize-recover=all
harness "O3 native gcc openmp" "$GCC" "" -O3 -march=native -fopenmp
[ -n "$CLANG" ] && [ -n "$OMPDIR" ] && harness "O3 native clang openmp" "$CLANG" "" -O3 -march=native $CLANG_OMP

if [ $failed -eq 0 ]; then
    echo "check.sh: OK, $steps checks passed (harness: $result)"
else
    echo "check.sh: FAILED, $failed of $steps checks failed"
    exit 1
fi
