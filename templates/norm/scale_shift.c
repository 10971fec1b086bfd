/* norm/scale_shift.c — per-channel affine (an unfolded BatchNorm), NCHW float32.
 *
 *   y[n][c][i] = act(x[n][c][i] * scale[c] + shift[c])      x, y: [N][C][HW]; scale, shift: [C]
 * y may alias x (in-place), so x and y are not restrict.
 *
 * Params: KILN_FN, KILN_N, KILN_C, KILN_HW, KILN_ACT (0 none, 1 ReLU, ...: see kiln_common.h).
 */
#ifndef KILN_COMMON_H
#include "../kiln_common.h"
#endif

#ifndef KILN_FN
#define KILN_FN kiln_scale_shift
#endif
#ifndef KILN_N
#define KILN_N 1
#endif
#ifndef KILN_C
#define KILN_C 8
#endif
#ifndef KILN_HW
#define KILN_HW 49
#endif
#ifndef KILN_ACT
#define KILN_ACT 0
#endif

static void KILN_FN(const float* x, const float* KILN_RESTRICT scale,
                    const float* KILN_RESTRICT shift, float* y) {
    KILN_OMP_PARALLEL_FOR(schedule(static) if (KILN_N * KILN_C * KILN_HW >= 65536))
    for (int nc = 0; nc < KILN_N * KILN_C; nc++) {
        const int c = nc % KILN_C;
        const float* xp = x + (ptrdiff_t)nc * KILN_HW;
        float* yp = y + (ptrdiff_t)nc * KILN_HW;
        const kiln_vf s = kiln_vbroadcast(scale[c]), b = kiln_vbroadcast(shift[c]);
        int i = 0;
        for (; i + KILN_VL <= KILN_HW; i += KILN_VL)
            kiln_vstore(yp + i, KILN_ACT_V(KILN_ACT, kiln_vfma(kiln_vload(xp + i), s, b)));
        for (; i < KILN_HW; i++) yp[i] = KILN_ACT_S(KILN_ACT, xp[i] * scale[c] + shift[c]);
    }
}
