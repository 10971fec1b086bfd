#!/usr/bin/env bash
# The CLI's contract with scripts that call it: output forms and a non-zero exit with one
# clear message on bad input. Usage: tools/cli-checks.sh path/to/kiln
set -uo pipefail
kiln=${1:?usage: cli-checks.sh KILN}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
small='{"layers":[1,1,1,1],"width":8,"num_classes":10}'

check() { # name, expected exit (0 or nonzero), expected text, command...
    local name=$1 want=$2 text=$3; shift 3
    local out status
    out=$("$@" 2>&1); status=$?
    if { [ "$want" = 0 ] && [ $status -eq 0 ]; } || { [ "$want" != 0 ] && [ $status -ne 0 ] && [ $status -lt 128 ]; }; then
        if grep -qF -- "$text" <<<"$out"; then passed=$((passed + 1)); return; fi
    fi
    failed=$((failed + 1))
    printf 'FAIL %s (exit %d, wanted %s and text "%s"):\n%s\n' "$name" "$status" "$want" "$text" "$out"
}

check "list" 0 "resnet50" "$kiln" list
check "random run" 0 "top-5" "$kiln" run resnet50 --random-weights --config "$small" --shape 1,3,32,32
check "write output" 0 "time:" "$kiln" run resnet50 --random-weights --config "$small" --shape 2,3,32,32 --output "$tmp/out.safetensors"
check "unknown model" 1 "unknown model 'resnet51'" "$kiln" run resnet51 --random-weights
check "no weights" 1 "give either --weights FILE or --random-weights" "$kiln" run resnet50
check "missing weights file" 1 "File not found: $tmp/none.safetensors" \
    "$kiln" run resnet50 --config "$small" --weights "$tmp/none.safetensors" --shape 1,3,32,32
check "weights of another network" 1 "keys missing (first: 'conv1.weight')" \
    "$kiln" run resnet50 --config "$small" --weights "$tmp/out.safetensors" --shape 1,3,32,32
check "input missing tensor" 1 "out.safetensors has no tensor named 'input' (it has: output)" \
    "$kiln" run resnet50 --config "$small" --random-weights --input "$tmp/out.safetensors" --output "$tmp/o2.safetensors"
head -c 60 "$tmp/out.safetensors" > "$tmp/trunc.safetensors"
check "truncated weights" 1 "trunc.safetensors" \
    "$kiln" run resnet50 --config "$small" --weights "$tmp/trunc.safetensors" --shape 1,3,32,32
check "bad shape" 1 "--shape must be four positive integers" "$kiln" run resnet50 --random-weights --shape 1,3,0,32
check "compile bad shape" 1 "--shape must be four positive integers N,C,H,W, got '1,3,32'" \
    "$kiln" compile resnet50 --config "$small" --shape 1,3,32
check "bad batch" 1 "--batch must be positive, got 0" "$kiln" run resnet50 --random-weights --config "$small" --batch 0
check "batch with input" 1 "--input brings its own shape" \
    "$kiln" run resnet50 --random-weights --config "$small" --input "$tmp/none.safetensors" --batch 2
check "channel mismatch" 1 "layer 'conv1': Conv2d expects [N, 3, H, W] input, got [1, 4, 32, 32]" \
    "$kiln" run resnet50 --random-weights --config "$small" --shape 1,4,32,32
check "bad config" 1 "--config must be a JSON object" "$kiln" run resnet50 --random-weights --config '[1'

check "debug layer" 0 "layer1.0.conv2: shape [1, 8, 8, 8]" \
    "$kiln" run resnet50 --random-weights --config "$small" --shape 1,3,32,32 --debug-layer layer1.0.conv2
check "debug layer unknown" 1 "the network has no module 'layer9.0'" \
    "$kiln" run resnet50 --random-weights --config "$small" --shape 1,3,32,32 --debug-layer layer9.0
check "check against itself" 0 "max abs diff 0.0" \
    "$kiln" run resnet50 --random-weights --config "$small" --shape 2,3,32,32 --check-against "$tmp/out.safetensors"
check "check against other weights" 1 "more than --atol" \
    "$kiln" run resnet50 --random-weights --seed 5 --config "$small" --shape 2,3,32,32 --check-against "$tmp/out.safetensors"
check "dump passes" 0 "pass fuse-conv-epilogue" \
    "$kiln" compile resnet50 --config "$small" --shape 1,3,32,32 --dump passes
check "dump ir with schedules" 0 "schedule gemm(rows: " \
    "$kiln" compile resnet50 --config "$small" --shape 1,3,32,32 --dump ir --no-tuning
# A 32x32 map has 64 4x4 tiles: at least a block (2 vectors) at every vector width up to 16.
check "winograd scheduled" 0 "{layer1.0.conv2} : [1, 16, 32, 32]  schedule winograd(outputTile: 4" \
    "$kiln" compile resnet50 --config '{"layers":[1,1,1,1],"width":16,"num_classes":10}' --shape 1,3,128,128 --dump ir --no-tuning
check "no winograd" 0 "{layer1.0.conv2} : [1, 16, 32, 32]  schedule gemm(" \
    "$kiln" compile resnet50 --config '{"layers":[1,1,1,1],"width":16,"num_classes":10}' --shape 1,3,128,128 --dump ir --no-winograd --no-tuning
check "bench alone with pauses" 0 "kiln " \
    "$kiln" bench resnet50 --config "$small" --size 32 --runs 2 --warmup 1 --no-peers --pause 0.01
check "bench with peers: paired ratios" 0 "median of the per-round ratios" \
    "$kiln" bench resnet50 --config "$small" --size 32 --runs 3 --warmup 1 --pause 0 --append-row "$tmp/row.md"
check "bench row: ratios as median (min; per round)" 0 "2" \
    sh -c "grep -oE '\| [0-9.]+ \([0-9.]+; [0-9.]+\) ' '$tmp/row.md' | wc -l"
check "bench bad pause" 1 "--pause must be between 0 and 60 seconds" \
    "$kiln" bench resnet50 --config "$small" --size 32 --no-peers --pause=-1
# Two processes compiling the same model into one empty cache: both succeed (entries are
# published by rename), and a third run finds the entry intact.
race() {
    local cache="$tmp/race-cache" pids=() status=0
    for i in 1 2; do
        KILN_CACHE_DIR="$cache" "$kiln" run resnet50 --random-weights --config "$small" --shape 1,3,24,24 >"$tmp/race$i.log" 2>&1 &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid" || status=1; done
    [ $status = 0 ] && grep -q "top-5" "$tmp/race1.log" && grep -q "top-5" "$tmp/race2.log" && \
        KILN_CACHE_DIR="$cache" "$kiln" run resnet50 --random-weights --config "$small" --shape 1,3,24,24
}
check "two processes, one cache" 0 "cache hit" race
head -c 100 "$(ls "$tmp"/race-cache/*.so | head -1)" > "$tmp/trunc.so" && cp "$tmp/trunc.so" "$(ls "$tmp"/race-cache/*.so | head -1)"
check "truncated cache entry is rebuilt" 0 "(built)" \
    env KILN_CACHE_DIR="$tmp/race-cache" "$kiln" run resnet50 --random-weights --config "$small" --shape 1,3,24,24
check "profile" 0 "GFLOP/s  kernel" \
    "$kiln" profile resnet50 --config "$small" --shape 1,3,32,32 --runs 2 --threads 1
check "profile summary" 0 "of their time in kernels at >= 60% of peak" \
    "$kiln" profile resnet50 --config "$small" --shape 1,3,32,32 --runs 2 --threads 1
check "profile --batch" 0 "resnet50 [2, 3, 32, 32]:" \
    "$kiln" profile resnet50 --config "$small" --shape 1,3,32,32 --batch 2 --runs 2 --threads 1

# --tune writes the winners to the tuning file, which later compiles read; bad files are refused by name.
check "tune" 0 "convolution shapes; their kernels" \
    "$kiln" compile resnet50 --config "$small" --shape 1,3,32,32 --tune --tune-runs 2 --tuning-file "$tmp/tuning.json"
check "tuning file written" 0 "kiln-tuning-1" cat "$tmp/tuning.json"
echo "not json" > "$tmp/bad-tuning.json"
check "bad tuning file" 1 "tuning file $tmp/bad-tuning.json: is not a Kiln tuning file" \
    "$kiln" compile resnet50 --config "$small" --shape 1,3,32,32 --tuning-file "$tmp/bad-tuning.json"
check "tune a portable library" 1 "add --target-cpu native" \
    "$kiln" emit resnet50 --config "$small" --height 32 --width 32 --random-weights --out "$tmp/emit-tuned" --tune
check "tune without tuning" 1 "--tune and --no-tuning contradict each other" \
    "$kiln" compile resnet50 --config "$small" --shape 1,3,32,32 --tune --no-tuning

echo "cli: $passed passed, $failed failed"
[ "$failed" = 0 ]
