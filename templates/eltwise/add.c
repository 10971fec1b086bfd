/* eltwise/add.c — element-wise sum with optional activation, float32.
 *
 *   y[i] = act(a[i] + b[i])      for i < COUNT
 * y may be the same pointer as a or b (each element is read before it is written), so no
 * pointer is restrict.
 *
 * Params: KILN_FN, KILN_COUNT, KILN_ACT (0 none, 1 ReLU, ...: see kiln_common.h).
 */
#ifndef KILN_COMMON_H
#include "../kiln_common.h"
#endif

#ifndef KILN_FN
#define KILN_FN kiln_add
#endif
#ifndef KILN_COUNT
#define KILN_COUNT 1000
#endif
#ifndef KILN_ACT
#define KILN_ACT 0
#endif

static void KILN_FN(const float* a, const float* b, float* y) {
    /* Vector body split across threads; the parallel region only pays off on big tensors. */
    KILN_OMP_PARALLEL_FOR(schedule(static) if (KILN_COUNT >= 65536))
    for (ptrdiff_t i = 0; i < KILN_COUNT / KILN_VL * KILN_VL; i += KILN_VL)
        kiln_vstore(y + i, KILN_ACT_V(KILN_ACT, kiln_vload(a + i) + kiln_vload(b + i)));
    for (ptrdiff_t i = KILN_COUNT / KILN_VL * KILN_VL; i < KILN_COUNT; i++)
        y[i] = KILN_ACT_S(KILN_ACT, a[i] + b[i]);
}
