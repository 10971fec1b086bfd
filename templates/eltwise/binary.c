/* eltwise/binary.c — element-wise add or multiply with NumPy broadcasting, float32.
 *
 *   y[i0..i5] = act(a[i·AS] op b[i·BS])     y dense [D0][D1][D2][D3][D4][D5]
 * AS/BS are the operands' strides per output dimension, 0 where the operand is broadcast
 * (rank < 6 shapes are padded with leading 1s). Covers gates ([N,C,H,W] * [N,C,1,1]),
 * layer scales ([C,1,1] * [N,C,H,W]) and plain same-shape sums.
 * y must not overlap a or b unless the shapes are equal (then in-place is fine).
 *
 * Params: KILN_FN, KILN_D0..KILN_D5, KILN_AS0..KILN_AS5, KILN_BS0..KILN_BS5,
 * KILN_OP (0 add, 1 multiply), KILN_ACT (0 none, 1 ReLU, 2 sigmoid, 3 GELU).
 */
#ifndef KILN_COMMON_H
#include "../kiln_common.h"
#endif

#ifndef KILN_FN
#define KILN_FN kiln_binary
#endif
#ifndef KILN_D0
#define KILN_D0 1
#define KILN_D1 1
#define KILN_D2 2
#define KILN_D3 3
#define KILN_D4 4
#define KILN_D5 5
#define KILN_AS0 0
#define KILN_AS1 0
#define KILN_AS2 60
#define KILN_AS3 20
#define KILN_AS4 5
#define KILN_AS5 1
#define KILN_BS0 0
#define KILN_BS1 0
#define KILN_BS2 0
#define KILN_BS3 1
#define KILN_BS4 0
#define KILN_BS5 0
#endif
#ifndef KILN_OP
#define KILN_OP 1
#endif
#ifndef KILN_ACT
#define KILN_ACT 0
#endif

static void KILN_FN(const float* a, const float* b, float* y) {
    enum { ROWS = KILN_D0 * KILN_D1 * KILN_D2 * KILN_D3 * KILN_D4 };
    /* One row = the innermost dimension; each operand is contiguous (stride 1) or
     * broadcast (stride 0) along it, which the compiler vectorises in both cases. */
    KILN_OMP_PARALLEL_FOR(schedule(static) if ((long)ROWS * KILN_D5 >= 65536))
    for (ptrdiff_t r = 0; r < ROWS; r++) {
        ptrdiff_t i4 = r % KILN_D4, i3 = r / KILN_D4 % KILN_D3, i2 = r / (KILN_D4 * KILN_D3) % KILN_D2;
        ptrdiff_t i1 = r / (KILN_D4 * KILN_D3 * KILN_D2) % KILN_D1, i0 = r / (KILN_D4 * KILN_D3 * KILN_D2 * KILN_D1);
        const float* pa = a + i0 * KILN_AS0 + i1 * KILN_AS1 + i2 * KILN_AS2 + i3 * KILN_AS3 + i4 * KILN_AS4;
        const float* pb = b + i0 * KILN_BS0 + i1 * KILN_BS1 + i2 * KILN_BS2 + i3 * KILN_BS3 + i4 * KILN_BS4;
        float* py = y + r * KILN_D5;
        for (ptrdiff_t i = 0; i < KILN_D5; i++) {
            float u = pa[i * KILN_AS5], v = pb[i * KILN_BS5];
            py[i] = KILN_ACT_S(KILN_ACT, KILN_OP == 0 ? u + v : u * v);
        }
    }
}
