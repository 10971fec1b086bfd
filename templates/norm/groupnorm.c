/* norm/groupnorm.c — GroupNorm on NCHW: statistics per (image, group of C/GROUPS channels),
 * affine per channel.
 *
 *   y[n][c][p] = (x[n][c][p] - mean_ng) / sqrt(var_ng + eps) * w[c] + b[c],  g = c / (C/GROUPS)
 * With GROUPS == C it is an instance norm (SA-Net's gn). Statistics accumulate in double.
 *
 * Params: KILN_FN, KILN_N, KILN_C, KILN_HW, KILN_GROUPS, KILN_EPS_E9 (eps * 1e9, an integer).
 */
#ifndef KILN_COMMON_H
#include "../kiln_common.h"
#endif

#ifndef KILN_FN
#define KILN_FN kiln_groupnorm
#endif
#ifndef KILN_N
#define KILN_N 2
#define KILN_C 8
#define KILN_HW 49
#define KILN_GROUPS 4
#endif
#ifndef KILN_EPS_E9
#define KILN_EPS_E9 10000
#endif

static void KILN_FN(const float* KILN_RESTRICT x, const float* KILN_RESTRICT w, const float* KILN_RESTRICT b,
                    float* KILN_RESTRICT y) {
    enum { CG = KILN_C / KILN_GROUPS, SIZE = CG * KILN_HW };
    KILN_OMP_PARALLEL_FOR(schedule(static) if ((long)KILN_N * KILN_C * KILN_HW >= 65536))
    for (ptrdiff_t ng = 0; ng < KILN_N * KILN_GROUPS; ng++) {
        const float* px = x + ng * SIZE;
        float* py = y + ng * SIZE;
        double sum = 0.0, sq = 0.0;
        for (ptrdiff_t i = 0; i < SIZE; i++) sum += px[i];
        double mean = sum / SIZE;
        for (ptrdiff_t i = 0; i < SIZE; i++) {
            double d = px[i] - mean;
            sq += d * d;
        }
        float inv = (float)(1.0 / sqrt(sq / SIZE + KILN_EPS_E9 * 1e-9));
        for (ptrdiff_t cl = 0; cl < CG; cl++) {
            ptrdiff_t c = ng % KILN_GROUPS * CG + cl;
            for (ptrdiff_t p = 0; p < KILN_HW; p++)
                py[cl * KILN_HW + p] = (float)(px[cl * KILN_HW + p] - mean) * inv * w[c] + b[c];
        }
    }
}
