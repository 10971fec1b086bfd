#!/usr/bin/env python3
"""Loads an emitted library with ctypes: logits against the golden, and every error path
(weights files, and inputs of another shape or length through PREFIX_run_checked).

usage: ctypes_check.py LIB.so PREFIX WEIGHTS INPUT.f32 GOLDEN.json
Prints one line per failed check and ends with "ctypes: N passed, M failed" (exit 1 if any failed).
Run by KilnEmitTests (EmitBuildTests.ctypes); needs numpy, not torch.
"""
import ctypes as C
import json
import os
import sys
import tempfile

import numpy as np

lib_path, prefix, weights, input_path, golden_path = sys.argv[1:6]
lib = C.CDLL(os.path.abspath(lib_path))
P = prefix.upper()
passed, failed = 0, 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"FAIL {name}: {detail}")


def fn(name, restype, *argtypes):
    f = getattr(lib, f"{prefix}_{name}")
    f.restype, f.argtypes = restype, list(argtypes)
    return f


Ctx = C.c_void_p
create_from_file = fn("create_from_file", C.c_int, C.c_char_p, C.POINTER(Ctx))
create_from_memory = fn("create_from_memory", C.c_int, C.c_void_p, C.c_size_t, C.POINTER(Ctx))
create_embedded = fn("create_embedded", C.c_int, C.POINTER(Ctx))
create_raw = fn("create", Ctx, C.c_void_p, C.c_size_t)
run = fn("run", C.c_int, Ctx, C.c_void_p, C.c_void_p)
run_checked = fn("run_checked", C.c_int, Ctx, C.c_void_p, C.c_size_t, C.POINTER(C.c_int64), C.c_int, C.c_void_p, C.c_size_t)
set_threads = fn("set_threads", C.c_int, Ctx, C.c_int)
get_threads = fn("get_threads", C.c_int, Ctx)
free = fn("free", None, Ctx)
model_name = fn("model_name", C.c_char_p)
last_error = fn("last_error", C.c_char_p)
status_name = fn("status_name", C.c_char_p, C.c_int)
input_rank, output_rank = fn("input_rank", C.c_int), fn("output_rank", C.c_int)
input_shape = fn("input_shape", C.POINTER(C.c_int64))
output_shape = fn("output_shape", C.POINTER(C.c_int64))
input_floats, output_floats = fn("input_floats", C.c_size_t), fn("output_floats", C.c_size_t)
weight_floats, arena_bytes = fn("weight_floats", C.c_size_t), fn("arena_bytes", C.c_size_t)

golden = json.load(open(golden_path))
x = np.fromfile(input_path, dtype="<f4")
expected = np.array(golden["output"], dtype=np.float32)
in_shape = [input_shape()[i] for i in range(input_rank())]
out_shape = [output_shape()[i] for i in range(output_rank())]
check("input shape", in_shape == golden["input_shape"], in_shape)
check("output shape", out_shape == golden["output_shape"], out_shape)
check("float counts", input_floats() == x.size and output_floats() == expected.size)
check("arena and weights", arena_bytes() > 0 and weight_floats() > 0)


def logits(ctx):
    y = np.zeros(output_floats(), dtype=np.float32)
    status = run(ctx, x.ctypes.data, y.ctypes.data)
    check("run", status == 0, last_error())
    return y


def close_to_golden(name, y):
    diff = float(np.abs(y - expected).max())
    check(name, diff < 1e-4, f"max abs diff {diff}")


ctx = Ctx()
status = create_from_file(weights.encode(), C.byref(ctx))
check("create_from_file", status == 0 and ctx.value, last_error())
close_to_golden("file logits", logits(ctx))
check("set_threads(1)", set_threads(ctx, 1) == 0 and get_threads(ctx) == 1)
close_to_golden("one thread", logits(ctx))
check("set_threads(3)", set_threads(ctx, 3) == 0 and get_threads(ctx) >= 1)
close_to_golden("three threads", logits(ctx))
check("set_threads(0)", set_threads(ctx, 0) == 1 and b"at least 1" in last_error(), last_error())
check("run(NULL input)", run(ctx, None, None) == 1 and b"input is NULL" in last_error(), last_error())
free(ctx)
free(None)

blob = open(weights, "rb").read()
for offset in (0, 1, 4):  # 64-byte aligned or not: used in place or copied
    buf = np.zeros(len(blob) + 128, dtype=np.uint8)
    start = (-buf.ctypes.data) % 64 + offset
    buf[start:start + len(blob)] = np.frombuffer(blob, dtype=np.uint8)
    ctx = Ctx()
    status = create_from_memory(buf.ctypes.data + start, len(blob), C.byref(ctx))
    check(f"create_from_memory(+{offset})", status == 0, last_error())
    if status == 0:
        close_to_golden(f"memory logits (+{offset})", logits(ctx))
        free(ctx)

ctx = Ctx()
check("create_embedded without embedded weights", create_embedded(C.byref(ctx)) == 1
      and b"without --embed-weights" in last_error() and not ctx.value, last_error())
check("create_from_file(NULL path)", create_from_file(None, C.byref(ctx)) == 1 and b"path is NULL" in last_error())
check("create_from_file(NULL ctx)", create_from_file(weights.encode(), None) == 1)
check("create_from_memory(NULL)", create_from_memory(None, 10, C.byref(ctx)) == 1)
check("create(wrong count)", create_raw(x.ctypes.data, 3) is None and b"prepared floats" in last_error())
check("status_name", status_name(7) == f"{P}_ERR_CHECKSUM".encode(), status_name(7))
check("status_name(SHAPE)", status_name(9) == f"{P}_ERR_SHAPE".encode(), status_name(9))


# run_checked: the good shape runs exactly as run; every bad input is refused with its status and
# message, before anything is written to the output.
ARGUMENT, SIZE, SHAPE = 1, 5, 9
ctx = Ctx()
check("create for run_checked", create_from_file(weights.encode(), C.byref(ctx)) == 0, last_error())
set_threads(ctx, 2)


def checked(shape, floats=None, out_floats=None, data=None, out=None, ctx=ctx, rank=None):
    """run_checked on `shape` (None: a NULL shape); returns (status, message, output)."""
    floats = x.size if floats is None else floats
    out_floats = output_floats() if out_floats is None else out_floats
    dims = None if shape is None else (C.c_int64 * max(len(shape), 1))(*shape)
    data = np.resize(x, max(floats, 1)) if data is None else data
    y = np.full(max(out_floats, 1), 12345.0, dtype=np.float32) if out is None else out
    status = run_checked(ctx, None if data is False else data.ctypes.data, floats, dims,
                         len(shape or []) if rank is None else rank, None if y is False else y.ctypes.data, out_floats)
    return status, last_error().decode(), y


y_run = logits(ctx)
status, message, y = checked(in_shape)
check("run_checked(good shape)", status == 0 and y.tobytes() == y_run.tobytes(),
      f"status {status} {message!r}, max abs diff {np.abs(y - y_run).max()}")
close_to_golden("run_checked logits", y)

model = model_name().decode()
n, c, h, w = in_shape
want = f"[{n}, {c}, {h}, {w}]"
bad = [  # name, shape, input floats (None: the compiled count), output floats, status, exact message
    ("rank 3", [c, h, w], None, None, SHAPE,
     f"input has rank 3 [{c}, {h}, {w}]; model '{model}' expects rank 4 NCHW {want}"),
    ("rank 5", [n, c, h, w, 1], None, None, SHAPE,
     f"input has rank 5 [{n}, {c}, {h}, {w}, 1]; model '{model}' expects rank 4 NCHW {want}"),
    ("rank 0", [], None, None, SHAPE, f"input has rank 0 []; model '{model}' expects rank 4 NCHW {want}"),
    ("batch 0", [0, c, h, w], 0, None, SHAPE,
     f"input [0, {c}, {h}, {w}] has batch 0 (dim 0), an empty batch; model '{model}' expects NCHW {want}"),
    ("width 0", [n, c, h, 0], 0, None, SHAPE,
     f"input [{n}, {c}, {h}, 0] has width 0 (dim 3); every dim must be at least 1, and model '{model}' expects NCHW {want}"),
    ("negative height", [n, c, -h, w], None, None, SHAPE,
     f"input [{n}, {c}, -{h}, {w}] has height -{h} (dim 2); every dim must be at least 1, and model '{model}' expects NCHW {want}"),
    ("channels 4", [n, 4, h, w], n * 4 * h * w, None, SHAPE,
     f"input [{n}, 4, {h}, {w}] has 4 channels (dim 1); model '{model}' expects {c} channels: NCHW {want}"),
    ("spatial 16x16", [n, c, 16, 16], n * c * 16 * 16, None, SHAPE,
     f"input [{n}, {c}, 16, 16] is 16x16 (height x width); model '{model}' was compiled for {h}x{w}: shapes are static, "
     f"so re-emit it with kiln emit --height 16 --width 16"),
    ("width + 1", [n, c, h, w + 1], n * c * h * (w + 1), None, SHAPE,
     f"input [{n}, {c}, {h}, {w + 1}] is {h}x{w + 1} (height x width); model '{model}' was compiled for {h}x{w}: "
     f"shapes are static, so re-emit it with kiln emit --height {h} --width {w + 1}"),
    ("batch 2", [2 * n, c, h, w], 2 * x.size, None, SHAPE,
     f"input [{2 * n}, {c}, {h}, {w}] has batch {2 * n} (dim 0); model '{model}' was compiled for batch {n}: shapes are "
     f"static, so re-emit it with kiln emit --batch {2 * n}, or run 2 batches of {n}"),
    ("input floats - 1", in_shape, x.size - 1, None, SIZE,
     f"the input buffer holds {x.size - 1} floats, but shape {want} is {x.size} floats"),
    ("input floats + 1", in_shape, x.size + 1, None, SIZE,
     f"the input buffer holds {x.size + 1} floats, but shape {want} is {x.size} floats"),
    ("output floats - 1", in_shape, None, output_floats() - 1, SIZE,
     f"the output buffer holds {output_floats() - 1} floats, but model '{model}' writes {output_floats()} "
     f"(output [{', '.join(map(str, out_shape))}])"),
    ("NULL shape", None, None, None, ARGUMENT, f"{prefix}_run_checked: the input shape is NULL"),
]
for name, shape, floats, out_floats, want_status, want_message in bad:
    status, message, y = checked(shape, floats, out_floats)
    check(f"run_checked({name})", status == want_status and message == want_message and (y == 12345.0).all(),
          f"status {status} ({status_name(status).decode()}), message {message!r}, output written: {not (y == 12345.0).all()}")

status, message, _ = checked(in_shape, data=False)
check("run_checked(NULL input)", status == ARGUMENT and message == f"{prefix}_run_checked: the input is NULL", f"status {status}: {message!r}")
status, message, _ = checked(in_shape, out=False)
check("run_checked(NULL output)", status == ARGUMENT and message == f"{prefix}_run_checked: the output is NULL", f"status {status}: {message!r}")
status, message, _ = checked(in_shape, ctx=None)
check("run_checked(NULL context)", status == ARGUMENT and message == f"{prefix}_run_checked: the context is NULL", f"status {status}: {message!r}")
status, message, _ = checked(in_shape, rank=-1)
check("run_checked(rank -1)", status == SHAPE and message.startswith("input has rank -1 (negative);"), f"status {status}: {message!r}")
both = np.resize(x, x.size + output_floats())  # output inside the input, then input inside the output
status, message, _ = checked(in_shape, data=both, out=both[x.size - 1:])
check("run_checked(overlap)", status == ARGUMENT and "overlap" in message, f"status {status}: {message!r}")
status, message, _ = checked(in_shape, data=both[1:], out=both)
check("run_checked(overlap 2)", status == ARGUMENT and "overlap" in message, f"status {status}: {message!r}")
status, message, y = checked(in_shape)
check("run_checked(good after bad)", status == 0 and y.tobytes() == y_run.tobytes(), f"status {status}: {message!r}")
free(ctx)


def patched(at, data):
    b = bytearray(blob)
    b[at:at + len(data)] = data
    return bytes(b)


cases = [  # name, file bytes, status, text in the message
    ("missing file", None, 2, b"No such file"),
    ("empty file", b"", 3, b"not a Kiln weights file"),
    ("bad magic", patched(0, b"NOTKILN!"), 3, b"not a Kiln weights file"),
    ("version 2", patched(8, (2).to_bytes(4, "little")), 4, b"format version 2"),
    ("another model", patched(16, b"\x01" * 8), 6, b"another model"),
    ("truncated", blob[:-100], 5, b"truncated"),
    ("appended", blob + b"\0" * 8, 5, b"truncated or appended"),
    ("flipped data byte", patched(len(blob) - 3, bytes([blob[-3] ^ 0x10])), 7, b"damaged"),
    ("flipped table byte", patched(70, bytes([blob[70] ^ 1])), 7, b"damaged"),
]
with tempfile.TemporaryDirectory() as tmp:
    for name, data, want, text in cases:
        path = os.path.join(tmp, name.replace(" ", "_"))
        if data is not None:
            open(path, "wb").write(data)
        ctx = Ctx(1)
        status = create_from_file(path.encode(), C.byref(ctx))
        message = last_error()
        check(name, status == want and text in message and not ctx.value,
              f"status {status} ({status_name(status).decode()}), message {message!r}")
        if data is not None:  # the same bytes from memory
            buf = C.create_string_buffer(data, max(len(data), 1))
            status = create_from_memory(buf, len(data), C.byref(ctx))
            check(name + " (memory)", status == want and not ctx.value, f"status {status}: {last_error()!r}")

print(f"ctypes: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
