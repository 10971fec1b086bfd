"""`kiln_ref.py peers`: time PyTorch and ONNX Runtime on a seeded model, for `kiln bench`.

Both peers run the same network (models/), the same seeded weights and input as Kiln
(docs/DESIGN.md) and the same thread count:

- PyTorch: eval mode, `torch.inference_mode()`, `torch.set_num_threads(N)`.
- ONNX Runtime: the model exported by `torch.onnx.export` (the TorchScript-based exporter,
  `dynamo=False`, opset 17, static shape, constants folded), CPUExecutionProvider,
  `ORT_ENABLE_ALL` graph optimisations, `intra_op_num_threads = N`, `inter_op_num_threads = 1`.
  Exports are cached by (model, config, seed, shape, torch version) under
  `$KILN_ONNX_CACHE` (default `<tmp>/kiln-onnx-cache`), as a ResNet-50 export takes seconds.

Each peer gets `--warmup` untimed runs, then timed ones: `--runs` of each (PyTorch's, then
ORT's), or with `--serve` as `kiln bench` asks for them: it writes `torch` or `ort` on stdin
for one timed run, answered by `{"ms": ..., "others_cores": ...}` on stdout, and `done` at
the end. That lets it interleave Kiln's, PyTorch's and ORT's runs one by one, so that a
shared machine's changing load hits all three alike. `others_cores` is how many cores' worth
of CPU other processes used during the timed runs (from /proc/stat and /proc/self/stat).
The result is one JSON object on stdout (times in ms):

    {"model", "config", "seed", "input_seed", "shape", "threads", "runs", "torch_version",
     "ort_version", "onnx": {"path", "cached", "export_seconds"},
     "torch": {"median_ms", "min_ms", "max_ms", "times_ms", "threads", "others_cores"},
     "ort": {...same...},
     "max_abs_diff": {"ort_vs_torch": float, "kiln_vs_torch": float | null}}

With `--kiln-output O.safetensors` (tensor `output`, as `kiln run --output` writes it) the
last field also compares Kiln's result with PyTorch's, so a benchmark proves that all three
computed the same thing.
"""
import hashlib
import json
import os
import statistics
import sys
import tempfile
import time
import warnings

import numpy as np
import torch
from safetensors.numpy import load_file as load_np

import seeded


def _cpu_ticks():
    """(busy ticks of all cores, total ticks of all cores, ticks of this process), as kiln bench reads them."""
    busy = total = own = 0
    try:
        with open("/proc/stat") as f:
            ticks = [int(v) for v in f.readline().split()[1:9]]  # user nice system idle iowait irq softirq steal
        total, busy = sum(ticks), sum(ticks) - ticks[3] - ticks[4]
        with open("/proc/self/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        own = int(fields[11]) + int(fields[12])  # utime, stime (all threads)
    except (OSError, ValueError, IndexError):
        pass
    return busy, total, own


def _others_cores(before, after):
    """Cores' worth of CPU other processes used between two _cpu_ticks() samples."""
    total = after[1] - before[1]
    if total <= 0:
        return 0.0
    others = (after[0] - before[0]) - (after[2] - before[2])
    return max(others, 0) / total * (os.cpu_count() or 1)


def _run_once(fn):
    """One timed run: (output, ms, other processes' load in cores meanwhile)."""
    before = _cpu_ticks()
    t0 = time.perf_counter()
    out = fn()
    ms = (time.perf_counter() - t0) * 1000.0
    return out, ms, _others_cores(before, _cpu_ticks())


class _Timings:
    """Run times of one engine and the time-weighted mean of others' load during them."""

    def __init__(self):
        self.times, self.others_ms = [], 0.0

    def add(self, ms, others):
        self.times.append(ms)
        self.others_ms += others * ms

    def summary(self, threads):
        t = self.times
        return {"median_ms": statistics.median(t), "min_ms": min(t), "max_ms": max(t), "times_ms": t,
                "threads": threads, "others_cores": self.others_ms / max(sum(t), 1e-9)}


def _onnx_path(args, shape):
    """Where the export for these settings lives (it does not have to exist yet)."""
    root = os.environ.get("KILN_ONNX_CACHE") or os.path.join(tempfile.gettempdir(), "kiln-onnx-cache")
    key = json.dumps([args.model, args.config and json.loads(args.config), args.seed, shape,
                      torch.__version__, 17], sort_keys=True)
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return os.path.join(root, f"{args.model}-{'x'.join(map(str, shape))}-s{args.seed}-{digest}.onnx")


def _export(model, x, path):
    """Exports to `path` atomically (a temp name, then rename), so a killed export leaves no half file."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".onnx", dir=os.path.dirname(path))
    os.close(fd)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notice
            torch.onnx.export(model, (x,), tmp, dynamo=False, opset_version=17,
                              do_constant_folding=True, input_names=["input"],
                              output_names=["output"])
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def cmd_peers(args, seeded_model, parse_shape):
    import onnxruntime as ort

    torch.set_num_threads(args.threads)
    model, config = seeded_model(args)
    shape = parse_shape(args.shape)
    x = torch.from_numpy(seeded.input_tensor(shape, args.input_seed))

    path = _onnx_path(args, shape)
    cached = os.path.exists(path)
    t0 = time.perf_counter()
    if not cached:
        _export(model, x, path)
    export_seconds = time.perf_counter() - t0

    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    so.intra_op_num_threads = args.threads
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    session = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    feed = {session.get_inputs()[0].name: x.numpy()}

    def run_torch():
        with torch.inference_mode():
            return model(x)

    engines = {"torch": run_torch, "ort": lambda: session.run(None, feed)[0]}
    timings = {name: _Timings() for name in engines}
    outputs = {}
    for name, fn in engines.items():
        for _ in range(args.warmup):
            outputs[name] = fn()

    if args.serve:
        # kiln bench drives the runs: one line per command, one JSON line per answer.
        print(json.dumps({"ready": True}), flush=True)
        for line in sys.stdin:
            command = line.strip()
            if command == "done":
                break
            if command not in engines:
                print(json.dumps({"error": f"unknown command {command!r}"}), flush=True)
                continue
            outputs[command], ms, others = _run_once(engines[command])
            timings[command].add(ms, others)
            print(json.dumps({"ms": ms, "others_cores": others}), flush=True)
        else:
            return  # stdin closed: kiln bench went away
    else:
        for name, fn in engines.items():  # PyTorch's runs, then ORT's
            for _ in range(args.runs):
                outputs[name], ms, others = _run_once(fn)
                timings[name].add(ms, others)
    if not all(t.times for t in timings.values()):
        sys.exit("no timed runs")

    y_torch, y_ort = outputs["torch"].float().numpy(), outputs["ort"]
    diffs = {"ort_vs_torch": float(np.abs(y_ort - y_torch).max()), "kiln_vs_torch": None}
    if args.kiln_output:
        tensors = load_np(args.kiln_output)
        if "output" not in tensors:
            sys.exit(f"{args.kiln_output}: no tensor 'output'")
        y_kiln = tensors["output"]
        if y_kiln.shape != y_torch.shape:
            sys.exit(f"Kiln's output has shape {list(y_kiln.shape)}, PyTorch's {list(y_torch.shape)}")
        diffs["kiln_vs_torch"] = float(np.abs(y_kiln.astype(np.float64) - y_torch).max())

    result = {
        "model": args.model, "config": config, "seed": args.seed, "input_seed": args.input_seed,
        "shape": shape, "threads": args.threads, "runs": len(timings["torch"].times),
        "torch_version": torch.__version__, "ort_version": ort.__version__,
        "onnx": {"path": path, "cached": cached, "export_seconds": export_seconds},
        "torch": timings["torch"].summary(torch.get_num_threads()),
        "ort": timings["ort"].summary(args.threads),
        "max_abs_diff": diffs,
    }
    if args.json or args.serve:
        print(json.dumps(result), flush=True)
    else:
        for name in ("torch", "ort"):
            t = result[name]
            print(f"{name:<6} median {t['median_ms']:.3f} ms  min {t['min_ms']:.3f}  max {t['max_ms']:.3f}"
                  f"  (others' load {t['others_cores']:.2f} cores)")
        print(f"max abs diff: ort vs torch {diffs['ort_vs_torch']:.3g}"
              + (f", kiln vs torch {diffs['kiln_vs_torch']:.3g}" if args.kiln_output else ""))


def add_parser(sub, model_args, seeded_model, parse_shape):
    q = sub.add_parser("peers", help="time PyTorch and ONNX Runtime on the seeded model (for kiln bench)")
    model_args(q)
    q.add_argument("--input-seed", type=int, required=True)
    q.add_argument("--shape", required=True, help="e.g. 1,3,224,224")
    q.add_argument("--threads", type=int, required=True)
    q.add_argument("--runs", type=int, default=10, help="timed runs per peer")
    q.add_argument("--warmup", type=int, default=2, help="untimed runs per peer first")
    q.add_argument("--kiln-output", help="Kiln's output (safetensors, tensor 'output') to compare")
    q.add_argument("--json", action="store_true", help="print one JSON object (for kiln bench)")
    q.add_argument("--serve", action="store_true",
                   help="after the warm-ups, run one timed run per stdin line 'torch' or 'ort' "
                        "(answering a JSON line each) until 'done', then print the JSON result")
    q.set_defaults(fn=lambda args: cmd_peers(args, seeded_model, parse_shape))
