/* pool/global_avgpool.c — global average pooling (AdaptiveAvgPool2d(1)), float32.
 *
 *   y[n][c] = (1/HW) * sum_{i < HW} x[n][c][i]        x: [N][C][HW] (NCHW), y: [N][C]
 *
 * Params: KILN_FN, KILN_N, KILN_C, KILN_HW.
 */
#ifndef KILN_COMMON_H
#include "../kiln_common.h"
#endif

#ifndef KILN_FN
#define KILN_FN kiln_global_avgpool
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

static void KILN_FN(const float* KILN_RESTRICT x, float* KILN_RESTRICT y) {
    KILN_OMP_PARALLEL_FOR(schedule(static) if (KILN_N * KILN_C * KILN_HW >= 65536))
    for (int nc = 0; nc < KILN_N * KILN_C; nc++) {
        const float* xp = x + (ptrdiff_t)nc * KILN_HW;
        kiln_vf acc = kiln_vbroadcast(0.0f);
        int i = 0;
        for (; i + KILN_VL <= KILN_HW; i += KILN_VL) acc += kiln_vload(xp + i);
        float s = kiln_vsum(acc);
        for (; i < KILN_HW; i++) s += xp[i];
        y[nc] = s / (float)KILN_HW; /* divide, as PyTorch does */
    }
}
