/* eltwise/unary.c — an activation applied element-wise, float32.
 *
 *   y[i] = act(x[i])      for i < COUNT
 * y may be the same pointer as x, so neither is restrict.
 *
 * Params: KILN_FN, KILN_COUNT, KILN_ACT (0 none, 1 ReLU, 2 sigmoid, 3 exact GELU).
 */
#ifndef KILN_COMMON_H
#include "../kiln_common.h"
#endif

#ifndef KILN_FN
#define KILN_FN kiln_unary
#endif
#ifndef KILN_COUNT
#define KILN_COUNT 1000
#endif
#ifndef KILN_ACT
#define KILN_ACT 1
#endif

static void KILN_FN(const float* x, float* y) {
    KILN_OMP_PARALLEL_FOR(schedule(static) if (KILN_COUNT >= 65536))
    for (ptrdiff_t i = 0; i < KILN_COUNT / KILN_VL * KILN_VL; i += KILN_VL)
        kiln_vstore(y + i, KILN_ACT_V(KILN_ACT, kiln_vload(x + i)));
    for (ptrdiff_t i = KILN_COUNT / KILN_VL * KILN_VL; i < KILN_COUNT; i++) y[i] = KILN_ACT_S(KILN_ACT, x[i]);
}
