/* norm/layernorm.c — LayerNorm over one axis of a tensor viewed as [OUTER][AXIS][INNER].
 *
 *   y[o][a][i] = (x[o][a][i] - mean) / sqrt(var + eps) * w[a] + b[a]
 * mean and (biased) var over a for each (o, i). With OUTER = N, AXIS = C, INNER = H*W this
 * is VAN's LayerNorm over the channels of every pixel, computed on NCHW directly.
 * Pixels are normalised VL at a time with float statistics (the axis is at most a few
 * hundred channels); a ragged end goes one pixel at a time in double.
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

/* The statistics of one pixel (scalar: the tail of a row of pixels), in double. */
static inline void KILN_CAT(KILN_FN, _one)(const float* KILN_RESTRICT px, const float* KILN_RESTRICT w,
                                           const float* KILN_RESTRICT b, float* KILN_RESTRICT py) {
    double sum = 0.0, sq = 0.0;
    for (ptrdiff_t a = 0; a < KILN_AXIS; a++) sum += px[a * KILN_INNER];
    const float mean = (float)(sum / KILN_AXIS);
    for (ptrdiff_t a = 0; a < KILN_AXIS; a++) {
        const double d = (double)px[a * KILN_INNER] - mean;
        sq += d * d;
    }
    const float inv = (float)(1.0 / sqrt(sq / KILN_AXIS + KILN_EPS_E9 * 1e-9));
    for (ptrdiff_t a = 0; a < KILN_AXIS; a++) py[a * KILN_INNER] = (px[a * KILN_INNER] - mean) * inv * w[a] + b[a];
}

/* Pixels go in vectors of VL neighbours (contiguous in NCHW), so every load is a vector;
 * each lane sums one pixel's AXIS values in float (two passes: mean, then centred squares). */
static void KILN_FN(const float* KILN_RESTRICT x, const float* KILN_RESTRICT w, const float* KILN_RESTRICT b,
                    float* KILN_RESTRICT y) {
    enum { BLOCKS = (KILN_INNER + KILN_VL - 1) / KILN_VL };
    KILN_OMP_PARALLEL_FOR(schedule(static) if ((long)KILN_OUTER * KILN_AXIS * KILN_INNER >= 65536))
    for (ptrdiff_t t = 0; t < (ptrdiff_t)KILN_OUTER * BLOCKS; t++) {
        const ptrdiff_t o = t / BLOCKS, i = t % BLOCKS * KILN_VL;
        const float* px = x + o * KILN_AXIS * KILN_INNER + i;
        float* py = y + o * KILN_AXIS * KILN_INNER + i;
        if (i + KILN_VL > KILN_INNER) { /* the ragged end of the row of pixels */
            for (ptrdiff_t j = 0; j < KILN_INNER - i; j++) KILN_CAT(KILN_FN, _one)(px + j, w, b, py + j);
            continue;
        }
        kiln_vf sum = kiln_vbroadcast(0.0f), sq = kiln_vbroadcast(0.0f);
        for (ptrdiff_t a = 0; a < KILN_AXIS; a++) sum += kiln_vload(px + a * KILN_INNER);
        const kiln_vf mean = sum * kiln_vbroadcast(1.0f / KILN_AXIS);
        for (ptrdiff_t a = 0; a < KILN_AXIS; a++) {
            const kiln_vf d = kiln_vload(px + a * KILN_INNER) - mean;
            sq += d * d;
        }
        kiln_vf inv;
        for (int l = 0; l < KILN_VL; l++) inv[l] = (float)(1.0 / sqrt((double)sq[l] / KILN_AXIS + KILN_EPS_E9 * 1e-9));
        for (ptrdiff_t a = 0; a < KILN_AXIS; a++)
            kiln_vstore(py + a * KILN_INNER,
                        (kiln_vload(px + a * KILN_INNER) - mean) * inv * kiln_vbroadcast(w[a]) + kiln_vbroadcast(b[a]));
    }
}
