/* pool/maxpool2d.c — MaxPool2d, NCHW float32.
 *
 *   y[n][c][oh][ow] = max over kh < KH, kw < KW of x[n][c][oh*SH-PH+kh][ow*SW-PW+kw],
 * where taps in the padding are ignored (they act as -inf, like PyTorch). No dilation, no
 * ceil_mode: the generator passes OH/OW and PyTorch guarantees every window sees x.
 *
 * Params: KILN_FN, KILN_N, KILN_C, KILN_H, KILN_W, KILN_OH, KILN_OW, KILN_KH, KILN_KW,
 * KILN_SH, KILN_SW, KILN_PH, KILN_PW.   x: [N][C][H][W], y: [N][C][OH][OW].
 */
#ifndef KILN_COMMON_H
#include "../kiln_common.h"
#endif

#ifndef KILN_FN
#define KILN_FN kiln_maxpool2d
#endif
#ifndef KILN_N
#define KILN_N 1
#endif
#ifndef KILN_C
#define KILN_C 8
#endif
#ifndef KILN_H
#define KILN_H 8
#endif
#ifndef KILN_W
#define KILN_W 8
#endif
#ifndef KILN_OH
#define KILN_OH 4
#endif
#ifndef KILN_OW
#define KILN_OW 4
#endif
#ifndef KILN_KH
#define KILN_KH 3
#endif
#ifndef KILN_KW
#define KILN_KW 3
#endif
#ifndef KILN_SH
#define KILN_SH 2
#endif
#ifndef KILN_SW
#define KILN_SW 2
#endif
#ifndef KILN_PH
#define KILN_PH 1
#endif
#ifndef KILN_PW
#define KILN_PW 1
#endif

static void KILN_FN(const float* KILN_RESTRICT x, float* KILN_RESTRICT y) {
    KILN_OMP_PARALLEL_FOR(schedule(static))
    for (int nc = 0; nc < KILN_N * KILN_C; nc++) {
        const float* xp = x + (ptrdiff_t)nc * KILN_H * KILN_W;
        float* yp = y + (ptrdiff_t)nc * KILN_OH * KILN_OW;
        for (int oh = 0; oh < KILN_OH; oh++) {
            /* Clamp the window to the image instead of testing every tap. */
            const int h0 = oh * KILN_SH - KILN_PH;
            const int ha = h0 < 0 ? 0 : h0, hb = KILN_MIN(h0 + KILN_KH, KILN_H);
            for (int ow = 0; ow < KILN_OW; ow++) {
                const int w0 = ow * KILN_SW - KILN_PW;
                const int wa = w0 < 0 ? 0 : w0, wb = KILN_MIN(w0 + KILN_KW, KILN_W);
                float m = -INFINITY;
                for (int ih = ha; ih < hb; ih++)
                    for (int iw = wa; iw < wb; iw++) {
                        const float v = xp[ih * KILN_W + iw];
                        m = v > m ? v : m;
                    }
                yp[oh * KILN_OW + ow] = m;
            }
        }
    }
}
