#!/usr/bin/env bash
# Rewrites generated/eca_small, the example library `kiln emit` writes for a reduced
# ECA-ResNet (the network of Tests/KilnZooTests/Goldens/eca_small_b1.json, seeded weights).
# KilnEmitTests/GeneratedExampleTests fails when the folder is out of date with the compiler;
# it emits with the same arguments as below, so change both together.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product kiln >/dev/null
.build/debug/kiln emit eca_resnet50 --config '{"layers":[1,1,2,1],"width":8,"num_classes":10}' \
    --batch 1 --height 40 --width 40 --random-weights --seed 1 --name eca_small --out generated/eca_small
