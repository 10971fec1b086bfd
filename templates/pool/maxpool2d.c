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

/* Lane-wise b > a ? b : a, the scalar loop's rule. */
KILN_VINLINE kiln_vf KILN_CAT(KILN_FN, _vmax)(kiln_vf a, kiln_vf b) {
    const kiln_vi gt = b > a;
    return (kiln_vf)(((kiln_vi)b & gt) | ((kiln_vi)a & ~gt));
}

static void KILN_FN(const float* KILN_RESTRICT x, float* KILN_RESTRICT y) {
    /* Per output row: the max down the window's in-image rows, into a row t with -inf in the
     * padding (and past it, for the last vector's reads), then the max across each window
     * of t, a vector of outputs at a time (stride 2: two loads and an even-lane shuffle). */
    enum { TW = (KILN_OW + KILN_VL) * KILN_SW + KILN_KW + KILN_VL };
    KILN_OMP_PARALLEL_FOR(schedule(static))
    for (int nc = 0; nc < KILN_N * KILN_C; nc++) {
        const float* xp = x + (ptrdiff_t)nc * KILN_H * KILN_W;
        float* yp = y + (ptrdiff_t)nc * KILN_OH * KILN_OW;
        float t[TW];
        for (int i = 0; i < TW; i++) t[i] = -INFINITY;
        for (int oh = 0; oh < KILN_OH; oh++) {
            const int h0 = oh * KILN_SH - KILN_PH; /* clamp the window to the image */
            const int ha = h0 < 0 ? 0 : h0, hb = KILN_MIN(h0 + KILN_KH, KILN_H);
            float* tr = t + KILN_PW;
            int iw = 0;
            for (; iw + KILN_VL <= KILN_W; iw += KILN_VL) {
                kiln_vf m = kiln_vbroadcast(-INFINITY);
                for (int ih = ha; ih < hb; ih++) m = KILN_CAT(KILN_FN, _vmax)(m, kiln_vload(xp + ih * KILN_W + iw));
                kiln_vstore(tr + iw, m);
            }
            for (; iw < KILN_W; iw++) {
                float m = -INFINITY;
                for (int ih = ha; ih < hb; ih++) {
                    const float v = xp[ih * KILN_W + iw];
                    m = v > m ? v : m;
                }
                tr[iw] = m;
            }
            float* yr = yp + oh * KILN_OW;
            int ow = 0;
            for (; ow + KILN_VL <= KILN_OW; ow += KILN_VL) {
                kiln_vf m = kiln_vbroadcast(-INFINITY);
                for (int kw = 0; kw < KILN_KW; kw++) {
                    const float* s = t + ow * KILN_SW + kw;
#if KILN_SW == 1
                    m = KILN_CAT(KILN_FN, _vmax)(m, kiln_vload(s));
#elif KILN_SW == 2
                    m = KILN_CAT(KILN_FN, _vmax)(m, kiln_veven(kiln_vload(s), kiln_vload(s + KILN_VL)));
#else
                    kiln_vf v;
                    for (int l = 0; l < KILN_VL; l++) v[l] = s[l * KILN_SW];
                    m = KILN_CAT(KILN_FN, _vmax)(m, v);
#endif
                }
                kiln_vstore(yr + ow, m);
            }
            for (; ow < KILN_OW; ow++) {
                float m = -INFINITY;
                for (int kw = 0; kw < KILN_KW; kw++) {
                    const float v = t[ow * KILN_SW + kw];
                    m = v > m ? v : m;
                }
                yr[ow] = m;
            }
        }
    }
}
