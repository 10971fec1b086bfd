/* eltwise/binary.c — element-wise add, multiply or multiply-add with NumPy broadcasting, float32.
 *
 *   y[i0..i5] = act(a[i·AS] op b[i·BS])               y dense [D0][D1][D2][D3][D4][D5]
 *   y[i0..i5] = act(a[i·AS] * b[i·BS] + c[i·CS])      (KILN_OP 2; c is NULL otherwise)
 * AS/BS are the operands' strides per output dimension, 0 where the operand is broadcast
 * (rank < 6 shapes are padded with leading 1s). Covers gates ([N,C,H,W] * [N,C,1,1]),
 * layer scales ([C,1,1] * [N,C,H,W]) and plain same-shape sums.
 * y must not overlap a, b or c unless the shapes are equal (then in-place is fine). The caller
 * merges dims that are one for both operands (Lowering.coalesced), so rows are long; along a
 * row each operand is read by vector loads (stride 1) or a broadcast (stride 0).
 *
 * Params: KILN_FN, KILN_D0..KILN_D5, KILN_AS0..KILN_AS5, KILN_BS0..KILN_BS5, KILN_CS0..KILN_CS5,
 * KILN_OP (0 add, 1 multiply, 2 multiply-add), KILN_ACT (0 none, 1 ReLU, 2 sigmoid, 3 GELU).
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
#ifndef KILN_CS0
#define KILN_CS0 0
#define KILN_CS1 0
#define KILN_CS2 0
#define KILN_CS3 0
#define KILN_CS4 0
#define KILN_CS5 0
#endif
#ifndef KILN_OP
#define KILN_OP 1
#endif
#ifndef KILN_ACT
#define KILN_ACT 0
#endif

/* Rows longer than this are split into pieces of it, so that one long row (a plain
 * same-shape sum coalesces to one) still spreads over the threads. */
#define KBN_PIECE 4096
#define KBN_PIECES ((KILN_D5 + KBN_PIECE - 1) / KBN_PIECE)
/* Vector loads need each operand contiguous or broadcast along the row. */
#define KBN_VECTOR ((KILN_AS5 == 0 || KILN_AS5 == 1) && (KILN_BS5 == 0 || KILN_BS5 == 1) && \
                    (KILN_OP != 2 || KILN_CS5 == 0 || KILN_CS5 == 1))
/* u op v, or u * v + w for the multiply-add. */
#define KBN_APPLY(u, v, w) (KILN_OP == 0 ? (u) + (v) : KILN_OP == 1 ? (u) * (v) : (u) * (v) + (w))

static void KILN_FN(const float* a, const float* b, const float* c, float* y) {
    enum { ROWS = KILN_D0 * KILN_D1 * KILN_D2 * KILN_D3 * KILN_D4 };
    KILN_OMP_PARALLEL_FOR(schedule(static) if ((long)ROWS * KILN_D5 >= 65536))
    for (ptrdiff_t t = 0; t < (ptrdiff_t)ROWS * KBN_PIECES; t++) {
        const ptrdiff_t r = t / KBN_PIECES, lo = t % KBN_PIECES * KBN_PIECE, hi = KILN_MIN(KILN_D5, lo + KBN_PIECE);
        ptrdiff_t i4 = r % KILN_D4, i3 = r / KILN_D4 % KILN_D3, i2 = r / (KILN_D4 * KILN_D3) % KILN_D2;
        ptrdiff_t i1 = r / (KILN_D4 * KILN_D3 * KILN_D2) % KILN_D1, i0 = r / (KILN_D4 * KILN_D3 * KILN_D2 * KILN_D1);
        const float* pa = a + i0 * KILN_AS0 + i1 * KILN_AS1 + i2 * KILN_AS2 + i3 * KILN_AS3 + i4 * KILN_AS4;
        const float* pb = b + i0 * KILN_BS0 + i1 * KILN_BS1 + i2 * KILN_BS2 + i3 * KILN_BS3 + i4 * KILN_BS4;
        const float* pc = KILN_OP == 2 ? c + i0 * KILN_CS0 + i1 * KILN_CS1 + i2 * KILN_CS2 + i3 * KILN_CS3 + i4 * KILN_CS4 : c;
        float* py = y + r * KILN_D5;
        ptrdiff_t i = lo;
#if KBN_VECTOR
        for (; i + KILN_VL <= hi; i += KILN_VL) {
            const kiln_vf u = KILN_AS5 ? kiln_vload(pa + i) : kiln_vbroadcast(pa[0]);
            const kiln_vf v = KILN_BS5 ? kiln_vload(pb + i) : kiln_vbroadcast(pb[0]);
            const kiln_vf w = KILN_OP != 2 ? v : KILN_CS5 ? kiln_vload(pc + i) : kiln_vbroadcast(pc[0]);
            kiln_vstore(py + i, KILN_ACT_V(KILN_ACT, KBN_APPLY(u, v, w)));
        }
#endif
        for (; i < hi; i++) {
            const float u = pa[i * KILN_AS5], v = pb[i * KILN_BS5], w = KILN_OP == 2 ? pc[i * KILN_CS5] : 0.0f;
            py[i] = KILN_ACT_S(KILN_ACT, KBN_APPLY(u, v, w));
        }
    }
}

#undef KBN_PIECE
#undef KBN_PIECES
#undef KBN_VECTOR
#undef KBN_APPLY
