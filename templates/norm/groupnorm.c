/* norm/groupnorm.c — GroupNorm on NCHW: statistics per (image, group of C/GROUPS channels),
 * affine per channel.
 *
 *   y[n][c][p] = (x[n][c][p] - mean_ng) / sqrt(var_ng + eps) * w[c] + b[c],  g = c / (C/GROUPS)
 * With GROUPS == C it is an instance norm. Statistics: kiln_plane_sum (kiln_common.h).
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
        /* Two passes (mean, then centred squares) keep the variance accurate. */
        const float mean = (float)(kiln_plane_sum(px, SIZE, 0, 0.0f) / SIZE);
        const double var = kiln_plane_sum(px, SIZE, 1, mean) / SIZE;
        const float inv = (float)(1.0 / sqrt(var + KILN_EPS_E9 * 1e-9));
        for (ptrdiff_t cl = 0; cl < CG; cl++) {
            const ptrdiff_t c = ng % KILN_GROUPS * CG + cl;
            const float* xc = px + cl * KILN_HW;
            float* yc = py + cl * KILN_HW;
            const float scale = inv * w[c], shift = b[c];
            ptrdiff_t p = 0;
            for (; p + KILN_VL <= KILN_HW; p += KILN_VL)
                kiln_vstore(yc + p, (kiln_vload(xc + p) - kiln_vbroadcast(mean)) * kiln_vbroadcast(scale) + kiln_vbroadcast(shift));
            for (; p < KILN_HW; p++) yc[p] = (xc[p] - mean) * scale + shift;
        }
    }
}
