#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks to build and run Kiln's generated C:
# an LLVM OpenMP runtime new enough for the Swift toolchain's clang (it emits
# __kmpc_dispatch_deinit, added in libomp 19). gcc's libgomp is the fallback Kiln uses
# when no suitable libomp is found. Idempotent: does nothing when it is already there.
set -euo pipefail
if ls /usr/lib/llvm-{19,2[0-9]}/lib/libomp.so >/dev/null 2>&1; then
    exit 0
fi
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
$sudo apt-get update -qq
$sudo apt-get install -y -qq libomp-19-dev >/dev/null
echo "installed libomp-19-dev"
