#!/usr/bin/env python3
"""PyTorch reference for Kiln: seeded weights/inputs, goldens, timing, comparison.

See README.md in this directory; the seeded generator and golden format are
specified in docs/DESIGN.md.
"""
import argparse
import json
import statistics
import sys
import time

import numpy as np
import torch
from safetensors.numpy import load_file as load_np, save_file as save_np
from safetensors.torch import load_file, save_file

import peers
import seeded
from models import build


def parse_shape(text):
    return [int(d) for d in text.split(",")]


def seeded_model(args):
    """Model in eval mode with seeded weights, plus the parsed config."""
    config = json.loads(args.config) if args.config else None
    model = build(args.model, config)
    sd = {k: torch.from_numpy(v) for k, v in seeded.state_dict(model, args.seed).items()}
    model.load_state_dict(sd, strict=True)
    return model.eval(), config


def cmd_weights(args):
    model = build(args.model, json.loads(args.config) if args.config else None)
    sd = seeded.state_dict(model, args.seed)
    save_np(sd, args.out)
    print(f"wrote {len(sd)} tensors to {args.out}")


def cmd_input(args):
    save_np({"input": seeded.input_tensor(parse_shape(args.shape), args.seed)}, args.out)
    print(f"wrote input {args.shape} to {args.out}")


def cmd_golden(args):
    model, config = seeded_model(args)
    shape = parse_shape(args.shape)
    x = torch.from_numpy(seeded.input_tensor(shape, args.input_seed))
    with torch.inference_mode():
        y = model(x).float()
    values = y.numpy().ravel()
    if not np.isfinite(values).all():
        sys.exit("output has non-finite values; not writing a golden")
    head = {
        "model": args.model, "config": config, "seed": args.seed,
        "input_seed": args.input_seed, "input_shape": shape, "output_shape": list(y.shape),
    }
    tail = {
        "torch_version": torch.__version__,
        "note": args.note or "seeded weights and input per docs/DESIGN.md; "
                             "made by tools/reference/kiln_ref.py golden",
    }
    # json would print float64 reprs; write each float32 with 9 significant digits.
    output = ", ".join(format(float(v), ".9g") for v in values)
    text = (json.dumps(head)[:-1] + ', "output": [' + output + "], "
            + json.dumps(tail)[1:] + "\n")
    json.loads(text)  # sanity: valid JSON
    with open(args.out, "w") as f:
        f.write(text)
    print(f"wrote golden {args.model} {shape} -> {list(y.shape)} to {args.out}")


def cmd_run(args):
    torch.set_num_threads(args.threads)
    model = build(args.model, json.loads(args.config) if args.config else None)
    model.load_state_dict(load_file(args.weights), strict=True)
    model.eval()
    x = load_file(args.input)["input"]
    with torch.inference_mode():
        if args.runs:
            model(x)  # warm-up
        times = []
        for _ in range(max(args.runs, 1)):
            t0 = time.perf_counter()
            y = model(x)
            times.append((time.perf_counter() - t0) * 1000.0)
    save_file({"output": y.contiguous()}, args.output)
    print(f"threads: {torch.get_num_threads()}")
    print(f"time: {times[-1]:.3f} ms")
    if args.runs:
        print(f"median: {statistics.median(times):.3f} ms")


def cmd_compare(args):
    a, b = load_np(args.a), load_np(args.b)
    for path, tensors in ((args.a, a), (args.b, b)):
        if args.key not in tensors:
            sys.exit(f"{path}: no tensor {args.key!r} (has {', '.join(sorted(tensors))})")
    a, b = a[args.key].astype(np.float64), b[args.key].astype(np.float64)
    if a.shape != b.shape:
        sys.exit(f"shape mismatch: {a.shape} vs {b.shape}")
    diff = np.abs(a - b)
    max_abs = float(diff.max()) if diff.size else 0.0
    max_rel = float((diff / np.maximum(np.abs(b), args.atol)).max()) if diff.size else 0.0
    print(f"max abs diff: {max_abs:.6g}")
    print(f"max rel diff: {max_rel:.6g}")
    ok = np.isfinite(a).all() and np.isfinite(b).all() and max_abs <= args.atol
    print("OK" if ok else f"FAIL (atol {args.atol:g})")
    sys.exit(0 if ok else 1)


def rms(t):
    return t.float().pow(2).mean().sqrt().item()


def cmd_stats(args):
    model, _ = seeded_model(args)
    x = torch.from_numpy(seeded.input_tensor(parse_shape(args.shape), args.input_seed))
    rows = []

    def hook(name):
        def record(module, inputs, out):
            if isinstance(out, (tuple, list)):  # e.g. VAN's patch embed returns (x, H, W)
                out = out[0]
            rows.append((name, tuple(out.shape), rms(out)))
        return record

    for name, child in model.named_children():
        # a stage: also show each block (a ModuleList is never called itself, so it
        # only gets the per-block rows)
        if isinstance(child, (torch.nn.Sequential, torch.nn.ModuleList)):
            for sub, block in child.named_children():
                block.register_forward_hook(hook(f"  {name}.{sub}"))
        child.register_forward_hook(hook(name))
    with torch.inference_mode():
        y = model(x)
    print(f"{'input':<16} {str(tuple(x.shape)):<20} rms {rms(x):.4f}")
    for name, shape, value in rows:
        print(f"{name:<16} {str(shape):<20} rms {value:.4f}")
    print(f"logits: min {y.min().item():.4f} max {y.max().item():.4f} "
          f"mean {y.mean().item():.4f} std {y.std().item():.4f}")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)

    def model_args(q, seed=True):
        q.add_argument("--model", required=True)
        q.add_argument("--config", help='JSON overrides, e.g. \'{"layers":[1,1,1,1],"width":16}\'')
        if seed:
            q.add_argument("--seed", type=int, required=True)

    q = sub.add_parser("weights", help="write seeded weights (safetensors)")
    model_args(q)
    q.add_argument("--out", required=True)
    q.set_defaults(fn=cmd_weights)

    q = sub.add_parser("input", help="write a seeded input tensor named 'input'")
    q.add_argument("--seed", type=int, required=True)
    q.add_argument("--shape", required=True, help="e.g. 1,3,224,224")
    q.add_argument("--out", required=True)
    q.set_defaults(fn=cmd_input)

    q = sub.add_parser("golden", help="write a golden case JSON (docs/DESIGN.md)")
    model_args(q)
    q.add_argument("--input-seed", type=int, required=True)
    q.add_argument("--shape", required=True)
    q.add_argument("--note")
    q.add_argument("--out", required=True)
    q.set_defaults(fn=cmd_golden)

    q = sub.add_parser("run", help="run a model on safetensors weights and input")
    model_args(q, seed=False)
    q.add_argument("--weights", required=True)
    q.add_argument("--input", required=True)
    q.add_argument("--output", required=True)
    q.add_argument("--threads", type=int, default=torch.get_num_threads())
    q.add_argument("--runs", type=int, default=0, help="timed runs after a warm-up")
    q.set_defaults(fn=cmd_run)

    q = sub.add_parser("compare", help="compare one tensor of two safetensors files")
    q.add_argument("a")
    q.add_argument("b", help="the reference; relative diffs are |a-b| / max(|b|, atol)")
    q.add_argument("--key", default="output")
    q.add_argument("--atol", type=float, default=1e-4)
    q.set_defaults(fn=cmd_compare)

    q = sub.add_parser("stats", help="activation RMS per module and logit range")
    model_args(q)
    q.add_argument("--input-seed", type=int, default=2)
    q.add_argument("--shape", required=True)
    q.set_defaults(fn=cmd_stats)

    peers.add_parser(sub, model_args, seeded_model, parse_shape)

    args = p.parse_args()
    args.fn(args)


if __name__ == "__main__":
    main()
