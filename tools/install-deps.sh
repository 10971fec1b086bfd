#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks to build and run Kiln's generated C:
# an LLVM OpenMP runtime new enough for the Swift toolchain's clang (it emits
# __kmpc_dispatch_deinit, added in libomp 19; gcc's libgomp is the fallback Kiln uses
# when no suitable libomp is found), and cmake, which the tests build emitted libraries
# with (`kiln emit` writes a CMakeLists.txt), qemu-user (below), and the reference tool's
# pip packages (PyTorch, ONNX Runtime, safetensors: `kiln bench`'s peers and the CLI checks
# that run them). Idempotent: does nothing when all is there.
set -euo pipefail
need=()
have_omp=
for f in /usr/lib/llvm-19/lib/libomp.so /usr/lib/llvm-2[0-9]/lib/libomp.so; do [ -e "$f" ] && have_omp=1; done
[ -n "$have_omp" ] || need+=(libomp-19-dev)
command -v cmake >/dev/null 2>&1 || need+=(cmake)
# qemu-user: the emit tests run x86-64 code on an emulated CPU without AVX (run-time dispatch).
[ "$(uname -m)" != x86_64 ] || command -v qemu-x86_64 >/dev/null 2>&1 || need+=(qemu-user)
if [ ${#need[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq "${need[@]}" >/dev/null
    echo "installed ${need[*]}"
fi
python=${PYTHON:-python3}
if ! "$python" -c "import torch, torchvision, onnx, onnxruntime, safetensors" >/dev/null 2>&1; then
    "$python" -m pip install -q -r "$(dirname "$0")/reference/requirements.txt"
    echo "installed tools/reference/requirements.txt"
fi
