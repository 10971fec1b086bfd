/* norm/softmax.c — softmax along one axis of a dense tensor viewed as [OUTER][AXIS][INNER].
 *
 *   y[o][a][i] = exp(x[o][a][i] - m) / sum_a' exp(x[o][a'][i] - m),   m = max_a' x[o][a'][i]
 * (subtracting the max keeps exp in range, as PyTorch does).
 *
 * Params: KILN_FN, KILN_OUTER, KILN_AXIS, KILN_INNER.
 */
#ifndef KILN_COMMON_H
#include "../kiln_common.h"
#endif

#ifndef KILN_FN
#define KILN_FN kiln_softmax
#endif
#ifndef KILN_OUTER
#define KILN_OUTER 2
#define KILN_AXIS 4
#define KILN_INNER 16
#endif

static void KILN_FN(const float* KILN_RESTRICT x, float* KILN_RESTRICT y) {
    KILN_OMP_PARALLEL_FOR(schedule(static) if ((long)KILN_OUTER * KILN_AXIS * KILN_INNER >= 65536))
    for (ptrdiff_t o = 0; o < KILN_OUTER; o++) {
        const float* px = x + o * KILN_AXIS * KILN_INNER;
        float* py = y + o * KILN_AXIS * KILN_INNER;
        for (ptrdiff_t i = 0; i < KILN_INNER; i++) {
            float m = px[i];
            for (ptrdiff_t a = 1; a < KILN_AXIS; a++) m = fmaxf(m, px[a * KILN_INNER + i]);
            float sum = 0.0f;
            for (ptrdiff_t a = 0; a < KILN_AXIS; a++) {
                float e = expf(px[a * KILN_INNER + i] - m);
                py[a * KILN_INNER + i] = e;
                sum += e;
            }
            for (ptrdiff_t a = 0; a < KILN_AXIS; a++) py[a * KILN_INNER + i] /= sum;
        }
    }
}
