#!/usr/bin/env python3
"""Fits the GELU tables of templates/kiln_common.h (the AVX-512 path of kiln_vact_gelu).

GELU(x) = max(x, 0) - T(|x|) with T(a) = a erfc(a / sqrt 2) / 2, the part of |x|/2 that GELU
drops. With w = 5.5/30.5, segment i of T is a cubic in u = a/w - i on [-1/2, 1/2] (segment 0 only
on [0, 1/2]), for i < 31; segment 31 (a >= 30.5 w = 5.5) is 0, as T(5.5) is 1e-7.
The kernel rounds a/w to the segment index and takes each coefficient with one 32-entry
vpermt2ps. T's form saves GELU's final multiply and fused multiply-add (a max and a subtract
instead): the FMA units are what a GELU waits for.

Each cubic is a near-minimax fit (Lawson's iteratively reweighted least squares on Chebyshev
points). Prints the C tables and the largest error of T; the float32 kernel's error against
the double-precision GELU is checked by templates/tests/test_kernels.c.

    python3 tools/fit_gelu.py
"""
import math

import numpy as np

SEGMENTS, DEGREE, END = 32, 3, 5.5
WIDTH = END / (SEGMENTS - 1.5)


def tail(a):
    return 0.5 * a * math.erfc(a / math.sqrt(2.0))


def fit(i):
    lo = 0.0 if i == 0 else -0.5
    u = lo + (0.5 - lo) * (0.5 + 0.5 * np.cos(np.linspace(0.0, math.pi, 400)))
    y = np.array([tail((i + t) * WIDTH) for t in u])
    v = np.vander(u, DEGREE + 1, increasing=True)
    weights = np.ones_like(u)
    for _ in range(80):
        c, *_ = np.linalg.lstsq(v * np.sqrt(weights)[:, None], y * np.sqrt(weights), rcond=None)
        err = np.abs(v @ c - y)
        weights = weights * (err + 1e-30)
        weights /= weights.sum()
    return c, err.max()


def main():
    coef = np.zeros((DEGREE + 1, SEGMENTS))
    worst = 0.0
    for i in range(SEGMENTS - 1):
        coef[:, i], err = fit(i)
        worst = max(worst, err)
    print("/* tools/fit_gelu.py: 1/w = %.9g, largest error of T %.2g */" % (1 / WIDTH, worst))
    for d in range(DEGREE + 1):
        rows = [", ".join("%.8ef" % c for c in coef[d, r:r + 8]) for r in range(0, SEGMENTS, 8)]
        print("static const float kiln_gelu_c%d[32] __attribute__((aligned(64))) = {\n    %s};" % (d, ",\n    ".join(rows)))


if __name__ == "__main__":
    main()
