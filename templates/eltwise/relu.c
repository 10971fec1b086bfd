/* eltwise/relu.c — ReLU, float32:  y[i] = max(x[i], 0) for i < COUNT (NaN gives 0).
 * y may be the same pointer as x (in-place), so neither is restrict.
 *
 * Params: KILN_FN, KILN_COUNT.
 */
#ifndef KILN_COMMON_H
#include "../kiln_common.h"
#endif

#ifndef KILN_FN
#define KILN_FN kiln_relu
#endif
#ifndef KILN_COUNT
#define KILN_COUNT 1000
#endif

static void KILN_FN(const float* x, float* y) {
    KILN_OMP_PARALLEL_FOR(schedule(static) if (KILN_COUNT >= 65536))
    for (ptrdiff_t i = 0; i < KILN_COUNT / KILN_VL * KILN_VL; i += KILN_VL)
        kiln_vstore(y + i, kiln_vact_relu(kiln_vload(x + i)));
    for (ptrdiff_t i = KILN_COUNT / KILN_VL * KILN_VL; i < KILN_COUNT; i++)
        y[i] = kiln_act_relu(x[i]);
}
