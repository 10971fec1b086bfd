/* linear/linear.c — fully connected layer, float32.
 *
 *   y[n][o] = act(sum_i x[n][i] * w[o][i] + bias[o])
 * x: [N][IN], w: [OUT][IN] (PyTorch layout), bias: [OUT] (read only if KILN_HAS_BIAS; pass
 * NULL otherwise), y: [N][OUT].
 *
 * Params: KILN_FN, KILN_N, KILN_IN, KILN_OUT, KILN_HAS_BIAS,
 * KILN_ACT (0 none, 1 ReLU, ...: see kiln_common.h).
 *
 * Parallel over output features; each thread streams its rows of w once (the layer is
 * bound by reading w) and takes vectorised dot products against every row of x.
 */
#ifndef KILN_COMMON_H
#include "../kiln_common.h"
#endif

#ifndef KILN_FN
#define KILN_FN kiln_linear
#endif
#ifndef KILN_N
#define KILN_N 1
#endif
#ifndef KILN_IN
#define KILN_IN 64
#endif
#ifndef KILN_OUT
#define KILN_OUT 10
#endif
#ifndef KILN_HAS_BIAS
#define KILN_HAS_BIAS 0
#endif
#ifndef KILN_ACT
#define KILN_ACT 0
#endif

static void KILN_FN(const float* KILN_RESTRICT x, const float* KILN_RESTRICT w,
                    const float* KILN_RESTRICT bias, float* KILN_RESTRICT y) {
    (void)bias;
    KILN_OMP_PARALLEL_FOR(schedule(static) if ((long long)KILN_OUT * KILN_IN >= 65536))
    for (int o = 0; o < KILN_OUT; o++) {
        const float* wr = w + (ptrdiff_t)o * KILN_IN;
        for (int n = 0; n < KILN_N; n++) {
            const float* xr = x + (ptrdiff_t)n * KILN_IN;
            /* Two accumulators hide the FMA latency. */
            kiln_vf a0 = kiln_vbroadcast(0.0f), a1 = a0;
            int i = 0;
            for (; i + 2 * KILN_VL <= KILN_IN; i += 2 * KILN_VL) {
                a0 = kiln_vfma(kiln_vload(wr + i), kiln_vload(xr + i), a0);
                a1 = kiln_vfma(kiln_vload(wr + i + KILN_VL), kiln_vload(xr + i + KILN_VL), a1);
            }
            if (i + KILN_VL <= KILN_IN) {
                a0 = kiln_vfma(kiln_vload(wr + i), kiln_vload(xr + i), a0);
                i += KILN_VL;
            }
            float s = kiln_vsum(a0 + a1);
            for (; i < KILN_IN; i++) s += wr[i] * xr[i];
#if KILN_HAS_BIAS
            s += bias[o];
#endif
            y[(ptrdiff_t)n * KILN_OUT + o] = KILN_ACT_S(KILN_ACT, s);
        }
    }
}
