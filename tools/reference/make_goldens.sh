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

# The seed networks: full size on a small input, and reduced variants at batch 1 and 2.
for m in se_resnet50 eca_resnet50 epsanet50 epsanet101 sa_resnet50 van_b0 van_b1 van_b2; do
    golden "${m}_64" "$m" "" 1,3,64,64
done
golden se_small_b2 se_resnet50 '{"layers":[1,1,1,1],"width":16,"num_classes":10}' 2,3,32,32
golden eca_small_b1 eca_resnet50 '{"layers":[1,1,2,1],"width":8,"num_classes":10}' 1,3,40,40
golden eca_small_b2 eca_resnet50 '{"layers":[1,1,1,1],"width":8,"num_classes":10,"k_sizes":[3,3,5,9]}' 2,3,33,35
golden epsanet_small_b2 epsanet50 '{"layers":[1,1,1,1],"width":64,"num_classes":10}' 2,3,32,32
golden sa_small_b1 sa_resnet50 '{"layers":[1,1,1,1],"width":8,"num_classes":10,"groups":4}' 1,3,32,32
golden sa_small_b2 sa_resnet50 '{"layers":[1,2,1,1],"width":32,"num_classes":10}' 2,3,32,32
golden van_small_b1 van_b0 '{"embed_dims":[8,16,24,32],"depths":[1,1,2,1],"num_classes":10}' 1,3,64,64
golden van_small_b2 van_b0 '{"embed_dims":[8,16,24,32],"depths":[2,1,1,1],"mlp_ratios":[4,4,2,2],"num_classes":10}' 2,3,45,51

# A user-defined network (not in the zoo) mixing ECA gates into VAN-style blocks.
python3 kiln_ref.py golden --model custom_eca_van --config '{"dim":16,"depth":2,"k_size":5}' --seed 3 --input-seed 4 \
    --shape 2,3,48,40 --out ../../Tests/KilnZooTests/CustomGoldens/custom_eca_van.json
golden epsanet_narrow_b1 epsanet50 '{"layers":[1,1,1,1],"width":16,"conv_groups":[1,2,4,4],"reduction":4,"num_classes":10}' 1,3,32,32
golden se_reduction_b1 se_resnet50 '{"layers":[1,1,1,1],"width":16,"reduction":8,"num_classes":10}' 1,3,32,32
