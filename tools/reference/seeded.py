"""Seeded weight generator of docs/DESIGN.md ("Seeded weights").

The Swift side (KilnRuntime) implements the same function; both must give
bit-identical float32 values for a given (seed, key, shape).

    python3 seeded.py     # prints the cross-check values quoted in README.md
"""
import math

import numpy as np

MASK64 = (1 << 64) - 1


def fnv1a64(s):
    h = 0xCBF29CE484222325
    for b in s.encode("utf-8"):
        h = ((h ^ b) * 0x100000001B3) & MASK64
    return h


def splitmix64(x):
    """splitmix64 on a numpy uint64 array (wrapping arithmetic)."""
    with np.errstate(over="ignore"):
        x = x + np.uint64(0x9E3779B97F4A7C15)
        z = x
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def scale_offset(key, shape):
    """(scale, offset) by the first matching rule of the DESIGN.md table."""
    if key == "input":
        return 1.0, 0.0
    if key.endswith("running_var"):
        return 0.25, 1.0
    if key.endswith("running_mean"):
        return 0.1, 0.0
    if key.endswith(".weight") and len(shape) >= 2:
        fan_in = math.prod(shape[1:])
        return math.sqrt(3.0 / fan_in), 0.0
    if key.endswith(".weight") and len(shape) == 1:
        return 0.2, 1.0
    if key.endswith(".bias"):
        return 0.1, 0.0
    return 0.5, 0.0


def tensor(key, shape, seed):
    """float32 array of `shape` for parameter `key` under `seed`."""
    shape = tuple(int(d) for d in shape)
    count = math.prod(shape)
    base = splitmix64(np.array([(int(seed) ^ fnv1a64(key)) & MASK64], dtype=np.uint64))
    with np.errstate(over="ignore"):
        z = splitmix64(base + np.arange(count, dtype=np.uint64))
    u = ((z >> np.uint64(40)).astype(np.float64) + 0.5) / float(1 << 24)  # exact
    s = 2.0 * u - 1.0                                                      # exact
    scale, offset = scale_offset(key, shape)
    return (offset + scale * s).astype(np.float32).reshape(shape)          # one rounding


def input_tensor(shape, seed):
    return tensor("input", shape, seed)


def state_dict(model, seed):
    """Seeded numpy values for every key of model.state_dict(), in order."""
    out = {}
    for key, value in model.state_dict().items():
        shape = tuple(value.shape)
        if key.endswith("num_batches_tracked"):
            out[key] = np.zeros(shape, dtype=np.int64)
        else:
            out[key] = tensor(key, shape, seed)
    return out


def _fmt(values):
    return ", ".join(format(float(v), ".9g") for v in values)


if __name__ == "__main__":
    w = tensor("conv1.weight", [64, 3, 7, 7], 1)
    x = input_tensor([1, 3, 4, 4], 2)
    print('tensor("conv1.weight", [64,3,7,7], seed 1)[:4] =', _fmt(w.ravel()[:4]))
    print('tensor("input", [1,3,4,4], seed 2)[:4]        =', _fmt(x.ravel()[:4]))
    print("fnv1a64(\"conv1.weight\") = 0x%016x" % fnv1a64("conv1.weight"))
    print("splitmix64(0) = 0x%016x" % int(splitmix64(np.array([0], dtype=np.uint64))[0]))
