/* norm/layernorm.c — LayerNorm over one axis of a tensor viewed as [OUTER][AXIS][INNER].
 *
 *   y[o][a][i] = (x[o][a][i] - mean) / sqrt(var + eps) * w[a] + b[a]
 * mean and (biased) var over a for each (o, i). With OUTER = N, AXIS = C, INNER = H*W this
 * is VAN's LayerNorm over the channels of every pixel, computed on NCHW directly.
 * Pixels are normalised VL at a time with float statistics (the axis is at most a few
 * hundred channels).
 *
 * Params: KILN_FN, KILN_OUTER, KILN_AXIS, KILN_INNER, KILN_EPS_E9 (eps * 1e9, an integer).
 */
#ifndef KILN_COMMON_H
#include "../kiln_common.h"
#endif

#ifndef KILN_FN
#define KILN_FN kiln_layernorm
#endif
#ifndef KILN_OUTER
#define KILN_OUTER 2
#define KILN_AXIS 32
#define KILN_INNER 49
#endif
#ifndef KILN_EPS_E9
#define KILN_EPS_E9 1000
#endif

/* The n <= VL pixels at p, lanes past them 0 (a plain load when n is VL). */
static inline __attribute__((always_inline)) kiln_vf KILN_CAT(KILN_FN, _load)(const float* p, int n) {
    return n == KILN_VL ? kiln_vload(p) : kiln_vload_n(p, n);
}

/* Sum over the axis of x (centred = 0) or of (x - mean)^2 (centred = 1) for the n pixels at px,
 * in four partial sums so that the adds do not wait on each other. */
static inline __attribute__((always_inline)) kiln_vf KILN_CAT(KILN_FN, _sum)(const float* KILN_RESTRICT px, int n,
                                                                            int centred, kiln_vf mean) {
    kiln_vf s[4] = {kiln_vbroadcast(0.0f), kiln_vbroadcast(0.0f), kiln_vbroadcast(0.0f), kiln_vbroadcast(0.0f)};
    for (ptrdiff_t a = 0; a < KILN_AXIS; a++) {
        const kiln_vf v = KILN_CAT(KILN_FN, _load)(px + a * KILN_INNER, n), d = v - mean;
        s[a % 4] += centred ? d * d : v;
    }
    return (s[0] + s[1]) + (s[2] + s[3]);
}

/* The n pixels at px: each lane's statistics in float, in two passes (mean, then centred
 * squares), then the normalised values; lanes past n are neither read nor stored. */
static inline __attribute__((always_inline)) void KILN_CAT(KILN_FN, _pixels)(const float* KILN_RESTRICT px, int n,
                                                                            const float* KILN_RESTRICT w, const float* KILN_RESTRICT b,
                                                                            float* KILN_RESTRICT py) {
    const kiln_vf mean = KILN_CAT(KILN_FN, _sum)(px, n, 0, kiln_vbroadcast(0.0f)) * kiln_vbroadcast(1.0f / KILN_AXIS);
    const kiln_vf sq = KILN_CAT(KILN_FN, _sum)(px, n, 1, mean);
    const kiln_vf inv = kiln_vbroadcast(1.0f) / kiln_vsqrt(sq * kiln_vbroadcast(1.0f / KILN_AXIS) + kiln_vbroadcast(KILN_EPS_E9 * 1e-9f));
    for (ptrdiff_t a = 0; a < KILN_AXIS; a++) {
        const kiln_vf v = (KILN_CAT(KILN_FN, _load)(px + a * KILN_INNER, n) - mean) * inv * kiln_vbroadcast(w[a]) + kiln_vbroadcast(b[a]);
        if (n == KILN_VL) kiln_vstore(py + a * KILN_INNER, v);
        else kiln_vstore_n(py + a * KILN_INNER, v, n);
    }
}

/* Pixels go in vectors of VL neighbours (contiguous in NCHW), so every load is a vector, masked
 * at the ragged end of a row of pixels. The threads split even the small maps: VAN-b1's
 * 320 x 14^2 one took 49 us on one thread (in the network, `kiln profile`), 24 on two. */
static void KILN_FN(const float* KILN_RESTRICT x, const float* KILN_RESTRICT w, const float* KILN_RESTRICT b,
                    float* KILN_RESTRICT y) {
    enum { BLOCKS = (KILN_INNER + KILN_VL - 1) / KILN_VL };
    KILN_OMP_PARALLEL_FOR(schedule(static))
    for (ptrdiff_t t = 0; t < (ptrdiff_t)KILN_OUTER * BLOCKS; t++) {
        const ptrdiff_t o = t / BLOCKS, i = t % BLOCKS * KILN_VL, at = o * KILN_AXIS * KILN_INNER + i;
        if (i + KILN_VL <= KILN_INNER) KILN_CAT(KILN_FN, _pixels)(x + at, KILN_VL, w, b, y + at);
        else KILN_CAT(KILN_FN, _pixels)(x + at, (int)(KILN_INNER - i), w, b, y + at);
    }
}
