#!/usr/bin/env bash
# Regenerates the committed golden cases (small: seeds + expected output only).
# Usage: tools/reference/make_goldens.sh   (needs: pip install -r tools/reference/requirements.txt)
set -euo pipefail
cd "$(dirname "$0")"
out=../../Tests/KilnZooTests/Goldens
mkdir -p "$out"
golden() { # name model config shape
    python3 kiln_ref.py golden --model "$2" ${3:+--config "$3"} --seed 1 --input-seed 2 --shape "$4" --out "$out/$1.json"
}
small='{"layers":[1,1,1,1],"width":8,"num_classes":10}'
golden resnet50_64 resnet50 "" 1,3,64,64
golden resnet_small_b1 resnet50 "$small" 1,3,32,32
golden resnet_small_b2_odd resnet50 "$small" 2,3,33,47
golden resnet_small_b3_tiny resnet50 "$small" 3,3,19,23
golden resnet_deeper_b2 resnet50 '{"layers":[2,1,2,1],"width":16,"num_classes":37}' 2,3,40,36
