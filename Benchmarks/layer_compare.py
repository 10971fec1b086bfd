"""Kiln against ONNX Runtime layer by layer on ResNet-50 (or SE-/ECA-ResNet-50's convs), both
in-network at the same thread count, grouped by conv kind and map size.

    python3 Benchmarks/layer_compare.py resnet50 [--rounds 3] [--threads 2] [--layers]

Each round runs `kiln profile` then Benchmarks/ort_profile.py (10 runs each, medians per
layer), so that a shared machine's drift hits both; a layer's figure is the median over the
rounds. ORT names a fused conv after its output: `.../layerX.Y/relu/Relu_output_0_nchwc` is
conv1 (+BN+ReLU), `relu_1` conv2, `conv3/Conv_output_0_nchwc` conv3 (+ the residual add),
`downsample/downsample.0/...` the projection and `/relu/Relu_output_0_nchwc` the stem.
"""
import argparse
import collections
import os
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def kiln_layer(ort_node):
    m = re.match(r"/layer\d/(layer\d\.\d+)/(relu|relu_1)/Relu_output_0_nchwc$", ort_node)
    if m:
        return m.group(1) + (".conv1" if m.group(2) == "relu" else ".conv2")
    m = re.match(r"/layer\d/(layer\d\.\d+)/(conv3/Conv|downsample/downsample\.0/Conv)_output_0_nchwc$", ort_node)
    if m:
        return m.group(1) + (".conv3" if m.group(2).startswith("conv3") else ".downsample.0")
    return "conv1" if ort_node == "/relu/Relu_output_0_nchwc" else None


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("model")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--layers", action="store_true", help="also list each layer, Kiln's lead over ORT smallest first")
    a = p.parse_args()
    kiln = os.path.join(HERE, "..", ".build", "release", "kiln")
    ours, theirs, desc = collections.defaultdict(list), collections.defaultdict(list), {}
    for _ in range(a.rounds):
        out = subprocess.run([kiln, "profile", a.model, "--threads", str(a.threads), "--runs", "10", "--top", "100000"],
                             capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            m = re.match(r"\s*([\d.]+)\s+[\d.]+%\s+[\d.]+\s+%\d+\s+(\S+)\s+(conv2d.*)", line)
            if m:
                ours[m.group(2)].append(float(m.group(1)))
                desc[m.group(2)] = m.group(3)
        out = subprocess.run([sys.executable, os.path.join(HERE, "ort_profile.py"), a.model, "--threads", str(a.threads),
                              "--runs", "10", "--top", "100000"], capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            m = re.match(r"\s*([\d.]+)\s+Conv\s+(\S+)$", line)
            if m and kiln_layer(m.group(2)):
                theirs[kiln_layer(m.group(2))].append(float(m.group(1)))
    groups = collections.defaultdict(lambda: [0.0, 0.0, 0])
    for layer in ours:
        if layer not in theirs:
            continue
        kind = re.search(r"conv2d\[\d+, (\d+x\d+/\d)", desc[layer]).group(1)
        size = re.search(r"\] \[\d+, \d+, (\d+), \d+\]", desc[layer]).group(1)
        g = groups["%s at %s²" % (kind, size)]
        g[0] += statistics.median(ours[layer])
        g[1] += statistics.median(theirs[layer])
        g[2] += 1
    if not groups:
        sys.exit("layer_compare: no layer matched (only ResNet-style node names are mapped)")
    print("%s, %d threads, %d rounds: medians per layer, summed by kind" % (a.model, a.threads, a.rounds))
    print("%-16s %6s %9s %9s %9s" % ("conv", "layers", "kiln ms", "ORT ms", "Kiln/ORT"))
    for key, (k, o, n) in sorted(groups.items(), key=lambda kv: kv[1][1] - kv[1][0]):
        print("%-16s %6d %9.2f %9.2f %9.2f" % (key, n, k, o, k / o))
    if a.layers:
        rows = sorted(((statistics.median(ours[l]), statistics.median(theirs[l]), l) for l in ours if l in theirs),
                      key=lambda r: r[1] - r[0])
        print("%-24s %9s %9s %9s  %s" % ("layer", "kiln ms", "ORT ms", "Kiln/ORT", "kernel"))
        for k, o, layer in rows:
            print("%-24s %9.3f %9.3f %9.2f  %s" % (layer, k, o, k / o, desc[layer]))
    k, o = sum(g[0] for g in groups.values()), sum(g[1] for g in groups.values())
    print("%-16s %6d %9.2f %9.2f %9.2f" % ("all matched", sum(g[2] for g in groups.values()), k, o, k / o))


if __name__ == "__main__":
    main()
