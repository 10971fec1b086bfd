"""Per-node times of ONNX Runtime on a model `kiln bench` has exported, to set beside
`kiln profile MODEL`: which layers ORT runs faster than Kiln, and by how much.

    python3 Benchmarks/ort_profile.py resnet50 [--threads 2] [--runs 25] [--top 40] [--batch 1]

It reads the export `kiln bench` cached (seed 1, 224², in $KILN_ONNX_CACHE or
<tmp>/kiln-onnx-cache), runs it with the same session settings as the benchmark
(ORT_ENABLE_ALL, intra-op threads N, sequential) and ORT's own profiler, and prints the
median time of each node over the runs, slowest first, then the total by operator type.
ORT names a fused node after its output (e.g. `/layer1/layer1.0/relu_1/Relu_output_0_nchwc`
is layer1.0's conv2 + BN + ReLU in the NCHWc layout).
"""
import argparse
import collections
import glob
import json
import os
import statistics
import sys
import tempfile

import numpy as np
import onnxruntime as ort


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("model")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--runs", type=int, default=25)
    p.add_argument("--top", type=int, default=40)
    p.add_argument("--batch", type=int, default=1)
    args = p.parse_args()

    cache = os.environ.get("KILN_ONNX_CACHE") or os.path.join(tempfile.gettempdir(), "kiln-onnx-cache")
    found = sorted(glob.glob(os.path.join(cache, f"{args.model}-{args.batch}x3x224x224-s1-*.onnx")))
    if not found:
        sys.exit(f"ort_profile: no export of {args.model} at batch {args.batch} in {cache}; "
                 f"run `kiln bench {args.model} --batch {args.batch}` first")

    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    so.intra_op_num_threads = args.threads
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.enable_profiling = True
    so.profile_file_prefix = os.path.join(tempfile.mkdtemp(), "ort")
    session = ort.InferenceSession(found[-1], so, providers=["CPUExecutionProvider"])
    x = np.random.default_rng(1).standard_normal((args.batch, 3, 224, 224), dtype=np.float32)
    feed = {session.get_inputs()[0].name: x}
    for _ in range(args.runs + 3):  # the first runs (warm-up) are in the profile too: medians absorb them
        session.run(None, feed)
    with open(session.end_profiling()) as f:
        events = json.load(f)

    times = collections.defaultdict(list)  # (node, op) -> microseconds of each run
    for e in events:
        if e.get("cat") == "Node" and e["name"].endswith("_kernel_time"):
            times[(e["name"][: -len("_kernel_time")], e["args"]["op_name"])].append(e["dur"])
    rows = sorted(((statistics.median(v) / 1000, node, op) for (node, op), v in times.items()), reverse=True)
    print(f"onnxruntime {ort.__version__}, {args.model} batch {args.batch}, {args.threads} threads: "
          f"{sum(r[0] for r in rows):.2f} ms in {len(rows)} nodes (sum of per-node medians)")
    print("      ms  op                    node")
    for ms, node, op in rows[: args.top]:
        print(f"{ms:8.3f}  {op:20s}  {node}")
    by_op = collections.Counter()
    for ms, _, op in rows:
        by_op[op] += ms
    print("by operator: " + ", ".join(f"{op} {ms:.2f}" for op, ms in by_op.most_common()))


if __name__ == "__main__":
    main()
