/* layout/copy_strided.c — a 6-D strided copy: permute, slice, and each input of a concat.
 *
 *   y[i·OS] = x[i·IS]     for every index i of the block [D0][D1][D2][D3][D4][D5]
 * IS/OS are element strides per dimension (rank < 6 blocks are padded with leading 1s
 * and stride 0). The caller offsets x and y to the block's first element and merges dims
 * that are one for both (Lowering.coalesced), so rows are as long as the layouts allow.
 *
 * Params: KILN_FN, KILN_D0..KILN_D5, KILN_IS0..KILN_IS5, KILN_OS0..KILN_OS5.
 */
#ifndef KILN_COMMON_H
#include "../kiln_common.h"
#endif

#ifndef KILN_FN
#define KILN_FN kiln_copy_strided
#endif
#ifndef KILN_D0
#define KILN_D0 1
#define KILN_D1 1
#define KILN_D2 2
#define KILN_D3 3
#define KILN_D4 4
#define KILN_D5 5
#define KILN_IS0 0
#define KILN_IS1 0
#define KILN_IS2 60
#define KILN_IS3 5
#define KILN_IS4 15
#define KILN_IS5 1
#define KILN_OS0 0
#define KILN_OS1 0
#define KILN_OS2 60
#define KILN_OS3 20
#define KILN_OS4 5
#define KILN_OS5 1
#endif

/* Rows longer than this are split, so one long row still spreads over the threads. */
#define KCS_PIECE 4096
#define KCS_PIECES ((KILN_D5 + KCS_PIECE - 1) / KCS_PIECE)

static void KILN_FN(const float* KILN_RESTRICT x, float* KILN_RESTRICT y) {
    enum { ROWS = KILN_D0 * KILN_D1 * KILN_D2 * KILN_D3 * KILN_D4 };
    KILN_OMP_PARALLEL_FOR(schedule(static) if ((long)ROWS * KILN_D5 >= 65536))
    for (ptrdiff_t t = 0; t < (ptrdiff_t)ROWS * KCS_PIECES; t++) {
        const ptrdiff_t r = t / KCS_PIECES, lo = t % KCS_PIECES * KCS_PIECE, hi = KILN_MIN(KILN_D5, lo + KCS_PIECE);
        ptrdiff_t i4 = r % KILN_D4, i3 = r / KILN_D4 % KILN_D3, i2 = r / (KILN_D4 * KILN_D3) % KILN_D2;
        ptrdiff_t i1 = r / (KILN_D4 * KILN_D3 * KILN_D2) % KILN_D1, i0 = r / (KILN_D4 * KILN_D3 * KILN_D2 * KILN_D1);
        const float* px = x + i0 * KILN_IS0 + i1 * KILN_IS1 + i2 * KILN_IS2 + i3 * KILN_IS3 + i4 * KILN_IS4;
        float* py = y + i0 * KILN_OS0 + i1 * KILN_OS1 + i2 * KILN_OS2 + i3 * KILN_OS3 + i4 * KILN_OS4;
        if (KILN_IS5 == 1 && KILN_OS5 == 1)
            memcpy(py + lo, px + lo, (size_t)(hi - lo) * sizeof(float));
        else
            for (ptrdiff_t i = lo; i < hi; i++) py[i * KILN_OS5] = px[i * KILN_IS5];
    }
}

#undef KCS_PIECE
#undef KCS_PIECES
