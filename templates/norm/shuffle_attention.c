/* norm/shuffle_attention.c — SA-Net's shuffle attention (wofmanaf/SA-Net `sa_layer`) in one
 * kernel: each plane is read for its statistics, then gated and written once.
 *
 * x, y: [N][C][HW], y not overlapping x. GROUPS groups of CG = C/GROUPS channels, each split
 * into halves of H2 = CG/2. For channel c = g*CG + j of image n:
 *   j <  H2 (channel gate):  y = x * sigmoid(cw[j] * mean(x) + cb[j])
 *   j >= H2 (spatial gate):  k = j - H2, xn = (x - mean(x)) / sqrt(var(x) + eps) * gw[k] + gb[k]
 *                            y = x * sigmoid(sw[k] * xn + sb[k])
 * (mean and biased var over the plane: GroupNorm(H2, H2) normalises each channel alone), written
 * to output channel (c % (C/2)) * 2 + c / (C/2): the channel shuffle with 2 groups that
 * follows the halves' concatenation. The official module spends two slice copies, a concat
 * and a permute copy and six element-wise passes on this; here it is one read and one write.
 *
 * Params: KILN_FN, KILN_N, KILN_C, KILN_HW, KILN_GROUPS, KILN_EPS_E9 (eps * 1e9, an integer).
 * Arguments: x, cw, cb, sw, sb, gw, gb (H2 floats each), y.
 */
#ifndef KILN_COMMON_H
#include "../kiln_common.h"
#endif

#ifndef KILN_FN
#define KILN_FN kiln_shuffle_attention
#define KILN_N 1
#define KILN_C 16
#define KILN_HW 49
#define KILN_GROUPS 2
#define KILN_EPS_E9 10000
#endif
_Static_assert(KILN_C % (2 * KILN_GROUPS) == 0, "shuffle_attention: C must split into GROUPS pairs of halves");

/* y = x * sigmoid(x * a + b) over one plane. */
static inline void KILN_CAT(KILN_FN, _spatial)(const float* KILN_RESTRICT x, float a, float b, float* KILN_RESTRICT y) {
    const kiln_vf av = kiln_vbroadcast(a), bv = kiln_vbroadcast(b);
    ptrdiff_t p = 0;
    for (; p + KILN_VL <= KILN_HW; p += KILN_VL) {
        const kiln_vf v = kiln_vload(x + p);
        kiln_vstore(y + p, v * kiln_vact_sigmoid(v * av + bv));
    }
    for (; p < KILN_HW; p++) y[p] = x[p] * kiln_act_sigmoid(x[p] * a + b);
}

static void KILN_FN(const float* KILN_RESTRICT x, const float* KILN_RESTRICT cw, const float* KILN_RESTRICT cb,
                    const float* KILN_RESTRICT sw, const float* KILN_RESTRICT sb, const float* KILN_RESTRICT gw,
                    const float* KILN_RESTRICT gb, float* KILN_RESTRICT y) {
    enum { CG = KILN_C / KILN_GROUPS, H2 = CG / 2, HALF_C = KILN_C / 2 };
    KILN_OMP_PARALLEL_FOR(schedule(static) if ((long)KILN_N * KILN_C * KILN_HW >= 65536))
    for (ptrdiff_t nc = 0; nc < (ptrdiff_t)KILN_N * KILN_C; nc++) {
        const int c = (int)(nc % KILN_C), j = c % CG;
        const float* px = x + nc * KILN_HW;
        float* py = y + (nc - c + c % HALF_C * 2 + c / HALF_C) * KILN_HW;
        const float mean = (float)(kiln_plane_sum(px, KILN_HW, 0, 0.0f) / KILN_HW);
        if (j < H2) {
            const kiln_vf gate = kiln_vbroadcast(kiln_act_sigmoid(cw[j] * mean + cb[j]));
            ptrdiff_t p = 0;
            for (; p + KILN_VL <= KILN_HW; p += KILN_VL) kiln_vstore(py + p, kiln_vload(px + p) * gate);
            for (; p < KILN_HW; p++) py[p] = px[p] * gate[0];
        } else {
            /* sw*((x - mean)*inv*gw + gb) + sb, folded into x*a + b. */
            const int k = j - H2;
            const double var = kiln_plane_sum(px, KILN_HW, 1, mean) / KILN_HW;
            const float scale = (float)(1.0 / sqrt(var + KILN_EPS_E9 * 1e-9)) * gw[k];
            KILN_CAT(KILN_FN, _spatial)(px, sw[k] * scale, sw[k] * (gb[k] - mean * scale) + sb[k], py);
        }
    }
}
