#!/usr/bin/env bash
# Kiln's whole test suite: the C templates alone (warnings as errors, ASan/UBSan), the Swift
# tests (ops against scalar references, passes, errors, zoo goldens against PyTorch), and the
# CLI's exit codes on bad input.
set -euo pipefail
cd "$(dirname "$0")/.."
bash templates/check.sh
swift build
swift test
# Memory growth over 1000 runs, alone in its process so other suites' allocations do not count.
KILN_MEMORY_TEST=1 swift test --skip-build --filter thousandRunsDoNotGrowMemory
bash tools/cli-checks.sh .build/debug/kiln
