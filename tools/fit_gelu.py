#!/usr/bin/env python3
"""Fits the GELU tables of templates/kiln_common.h (the AVX-512 path of kiln_vact_gelu).

GELU(x) = x/2 + |x| g(|x|) with g(a) = erf(a / sqrt 2) / 2. On [0, 5.5) g is a cubic in each of
31 segments of width w = 5.5/31; segment 31 is the constant 1/2 (1 - erf(5.5/sqrt 2) is 4e-8,
below float32's spacing at 1). The kernel takes a segment's coefficients with one 32-entry
vpermt2ps each, so segment i's cubic is in u = a/w - 1/2 - i, in [-1/2, 1/2].

Each cubic is a near-minimax fit (Lawson's iteratively reweighted least squares on Chebyshev
points). Prints the C tables and the largest error of g; the float32 kernel's error against
the double-precision GELU is checked by templates/tests/test_kernels.c.

    python3 tools/fit_gelu.py
"""
import math

import numpy as np

SEGMENTS, DEGREE, END = 32, 3, 5.5
WIDTH = END / (SEGMENTS - 1)


def g(a):
    return 0.5 * math.erf(a / math.sqrt(2.0))


def fit(i):
    u = 0.5 * np.cos(np.linspace(0.0, math.pi, 400))
    y = np.array([g((i + 0.5 + t) * WIDTH) for t in u])
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
    coef[0, SEGMENTS - 1] = 0.5
    worst = 0.0
    for i in range(SEGMENTS - 1):
        coef[:, i], err = fit(i)
        worst = max(worst, err)
    print("/* tools/fit_gelu.py: w = %.9g, largest error of g %.2g */" % (WIDTH, worst))
    for d in range(DEGREE + 1):
        rows = [", ".join("%.8ef" % c for c in coef[d, r:r + 8]) for r in range(0, SEGMENTS, 8)]
        print("static const float kiln_gelu_c%d[32] __attribute__((aligned(64))) = {\n    %s};" % (d, ",\n    ".join(rows)))


if __name__ == "__main__":
    main()
