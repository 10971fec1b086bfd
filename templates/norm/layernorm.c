/* norm/layernorm.c — LayerNorm over one axis of a tensor viewed as [OUTER][AXIS][INNER].
 *
 *   y[o][a][i] = (x[o][a][i] - mean) / sqrt(var + eps) * w[a] + b[a]
 * mean and (biased) var over a for each (o, i). With OUTER = N, AXIS = C, INNER = H*W this
 * is VAN's LayerNorm over the channels of every pixel, computed on NCHW directly.
 * Statistics accumulate in double so long axes do not lose precision.
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

static void KILN_FN(const float* KILN_RESTRICT x, const float* KILN_RESTRICT w, const float* KILN_RESTRICT b,
                    float* KILN_RESTRICT y) {
    KILN_OMP_PARALLEL_FOR(collapse(2) schedule(static) if ((long)KILN_OUTER * KILN_AXIS * KILN_INNER >= 65536))
    for (ptrdiff_t o = 0; o < KILN_OUTER; o++) {
        for (ptrdiff_t i = 0; i < KILN_INNER; i++) {
            const float* px = x + o * KILN_AXIS * KILN_INNER + i;
            float* py = y + o * KILN_AXIS * KILN_INNER + i;
            double sum = 0.0, sq = 0.0;
            for (ptrdiff_t a = 0; a < KILN_AXIS; a++) sum += px[a * KILN_INNER];
            double mean = sum / KILN_AXIS;
            for (ptrdiff_t a = 0; a < KILN_AXIS; a++) {
                double d = px[a * KILN_INNER] - mean;
                sq += d * d;
            }
            float inv = (float)(1.0 / sqrt(sq / KILN_AXIS + KILN_EPS_E9 * 1e-9));
            for (ptrdiff_t a = 0; a < KILN_AXIS; a++)
                py[a * KILN_INNER] = ((float)(px[a * KILN_INNER] - mean)) * inv * w[a] + b[a];
        }
    }
}
