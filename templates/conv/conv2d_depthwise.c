/* conv/conv2d_depthwise.c — depthwise Conv2d (GROUPS == CIN == COUT), direct, NCHW float32.
 *
 *   y[n][c][oh][ow] = act(sum_{kh,kw} w[c][0][kh][kw] * x[n][c][oh*SH-PH+kh*DH][ow*SW-PW+kw*DW]
 *                         + bias[c] + residual[n][c][oh][ow])       (taps outside x count as 0)
 * w is the plain PyTorch layout [C][1][KH][KW] (no packing). bias/residual are read only if
 * KILN_HAS_BIAS / KILN_HAS_RESIDUAL (pass NULL otherwise); residual must not alias y.
 * scratch: stride-1 convs use KILN_DW_SCRATCH floats per thread (below); others none.
 *
 * Params: KILN_FN, KILN_N, KILN_CIN, KILN_H, KILN_W, KILN_COUT, KILN_OH, KILN_OW, KILN_KH,
 * KILN_KW, KILN_SH, KILN_SW, KILN_PH, KILN_PW, KILN_DH, KILN_DW, KILN_GROUPS,
 * KILN_HAS_BIAS, KILN_HAS_RESIDUAL, KILN_ACT (0 none, 1 ReLU, ...: see kiln_common.h).
 *
 * Algorithm: parallel over (n, c) planes. Stride 1 (all of VAN's): the plane is copied into
 * a zero-padded copy of width WP = W + 2*PW in scratch, and the output plane is computed at
 * that width (OH*WP positions, the pad columns computed and dropped), 4 vectors of positions
 * at a time with every tap accumulated in registers, so the loops are long and contiguous even
 * for 14- or 7-wide maps; the epilogue runs in registers (with a residual, on the way out).
 * Other strides: each output row accumulates one tap at a time over the in-image positions.
 */
#ifndef KILN_COMMON_H
#include "../kiln_common.h"
#endif

#ifndef KILN_FN
#define KILN_FN kiln_conv2d_depthwise
#endif
#ifndef KILN_N
#define KILN_N 1
#endif
#ifndef KILN_CIN
#define KILN_CIN 8
#endif
#ifndef KILN_H
#define KILN_H 8
#endif
#ifndef KILN_W
#define KILN_W 8
#endif
#ifndef KILN_COUT
#define KILN_COUT 8
#endif
#ifndef KILN_OH
#define KILN_OH 8
#endif
#ifndef KILN_OW
#define KILN_OW 8
#endif
#ifndef KILN_KH
#define KILN_KH 3
#endif
#ifndef KILN_KW
#define KILN_KW 3
#endif
#ifndef KILN_SH
#define KILN_SH 1
#endif
#ifndef KILN_SW
#define KILN_SW 1
#endif
#ifndef KILN_PH
#define KILN_PH 1
#endif
#ifndef KILN_PW
#define KILN_PW 1
#endif
#ifndef KILN_DH
#define KILN_DH 1
#endif
#ifndef KILN_DW
#define KILN_DW 1
#endif
#ifndef KILN_GROUPS
#define KILN_GROUPS 8
#endif
#ifndef KILN_HAS_BIAS
#define KILN_HAS_BIAS 0
#endif
#ifndef KILN_HAS_RESIDUAL
#define KILN_HAS_RESIDUAL 0
#endif
#ifndef KILN_ACT
#define KILN_ACT 0
#endif

_Static_assert(KILN_GROUPS == KILN_CIN && KILN_COUT == KILN_CIN,
               "conv2d_depthwise: needs GROUPS == CIN == COUT");

#define KDW_WP (KILN_W + 2 * KILN_PW)
#define KDW_HP (KILN_H + 2 * KILN_PH)
#define KDW_NV 4                     /* vectors of output positions per register tile */
#define KDW_CH (KDW_NV * KILN_VL)    /* positions per register tile, at most 64 */
/* Rows of the padded plane: the image, its padding, and zero rows for the reads of the last
 * register tile's dropped positions (at most 64 + (KW-1)*DW floats past the last row). */
#define KDW_PADROWS (KDW_HP + 2 + (64 + (KILN_KW - 1) * KILN_DW) / KDW_WP)
/* Floats of scratch per thread the stride-1 path needs: the padded plane and the output
 * plane at the padded width (rounded up to a register tile). */
#define KILN_DW_SCRATCH (KDW_PADROWS * KDW_WP + KILN_OH * KDW_WP + 64)

_Static_assert(KILN_SH != 1 || KILN_SW != 1 || KILN_DW_SCRATCH <= KILN_SCRATCH_PER_THREAD,
               "conv2d_depthwise: the padded plane exceeds KILN_SCRATCH_PER_THREAD");

/* Stride 1: all taps of KDW_NV vectors of positions in registers, over a zero-padded plane,
 * then the epilogue on the way from the wide layout to y. */
static inline void KILN_CAT(KILN_FN, _plane_s1)(const float* KILN_RESTRICT xp, const float* KILN_RESTRICT wc,
                                                float b, const float* KILN_RESTRICT rp,
                                                float* KILN_RESTRICT yp, float* KILN_RESTRICT pad) {
    float* KILN_RESTRICT acc = pad + KDW_PADROWS * KDW_WP;
    memset(pad, 0, sizeof(float) * (size_t)KDW_PADROWS * KDW_WP);
    for (int ih = 0; ih < KILN_H; ih++)
        memcpy(pad + (ptrdiff_t)(ih + KILN_PH) * KDW_WP + KILN_PW, xp + (ptrdiff_t)ih * KILN_W, sizeof(float) * KILN_W);
    enum { LEN = KILN_OH * KDW_WP };
    for (int i0 = 0; i0 < LEN; i0 += KDW_CH) {
        kiln_vf a[KDW_NV];
        KILN_UNROLL
        for (int v = 0; v < KDW_NV; v++) a[v] = kiln_vbroadcast(0.0f);
        for (int kh = 0; kh < KILN_KH; kh++)
            KILN_UNROLL
            for (int kw = 0; kw < KILN_KW; kw++) {
                const kiln_vf wv = kiln_vbroadcast(wc[kh * KILN_KW + kw]);
                const float* src = pad + (ptrdiff_t)kh * KILN_DH * KDW_WP + kw * KILN_DW + i0;
                KILN_UNROLL
                for (int v = 0; v < KDW_NV; v++) a[v] = kiln_vfma(wv, kiln_vload(src + v * KILN_VL), a[v]);
            }
        /* Without a residual the epilogue runs here, in whole vectors: per output row, a
         * 14- or 7-wide map would leave most of it (GELU's is costly) to scalar tails. */
        KILN_UNROLL
        for (int v = 0; v < KDW_NV; v++)
            kiln_vstore(acc + i0 + v * KILN_VL,
                        KILN_HAS_RESIDUAL ? a[v] : KILN_ACT_V(KILN_ACT, a[v] + kiln_vbroadcast(b)));
    }
    for (int oh = 0; oh < KILN_OH; oh++) {
        const float* ar = acc + (ptrdiff_t)oh * KDW_WP;
        float* yr = yp + (ptrdiff_t)oh * KILN_OW;
        if (KILN_HAS_RESIDUAL)
            kiln_epilogue(ar, b, rp + (ptrdiff_t)oh * KILN_OW, yr, KILN_OW, KILN_ACT);
        else
            memcpy(yr, ar, sizeof(float) * KILN_OW);
    }
}

static void KILN_FN(const float* KILN_RESTRICT x, const float* KILN_RESTRICT w,
                    const float* KILN_RESTRICT bias, const float* KILN_RESTRICT residual,
                    float* KILN_RESTRICT y, float* KILN_RESTRICT scratch) {
    (void)bias;
    (void)residual;
    (void)scratch;
    KILN_OMP_PARALLEL_FOR(schedule(static))
    for (int nc = 0; nc < KILN_N * KILN_CIN; nc++) {
        const int c = nc % KILN_CIN;
        const float* xp = x + (ptrdiff_t)nc * KILN_H * KILN_W;
        const float* wc = w + (ptrdiff_t)c * KILN_KH * KILN_KW;
        float* yp = y + (ptrdiff_t)nc * KILN_OH * KILN_OW;
        const float* rp = KILN_HAS_RESIDUAL ? residual + (ptrdiff_t)nc * KILN_OH * KILN_OW : residual; /* may be NULL */
        const float b = KILN_HAS_BIAS ? bias[c] : 0.0f;
#if KILN_SH == 1 && KILN_SW == 1
        KILN_CAT(KILN_FN, _plane_s1)(xp, wc, b, rp, yp, scratch + (ptrdiff_t)kiln_thread_id() * KILN_SCRATCH_PER_THREAD);
#else
        for (int oh = 0; oh < KILN_OH; oh++) {
            float* yr = yp + (ptrdiff_t)oh * KILN_OW;
            for (int ow = 0; ow < KILN_OW; ow++) yr[ow] = 0.0f;
            for (int kh = 0; kh < KILN_KH; kh++) {
                const int ih = oh * KILN_SH - KILN_PH + kh * KILN_DH;
                if (ih < 0 || ih >= KILN_H) continue;
                const float* xr = xp + (ptrdiff_t)ih * KILN_W;
                for (int kw = 0; kw < KILN_KW; kw++) {
                    /* Output columns [lo, hi) read inside the row: 0 <= ow*SW - PW + kw*DW < W. */
                    const int off = kw * KILN_DW - KILN_PW;
                    const int lo = off >= 0 ? 0 : (KILN_SW - 1 - off) / KILN_SW;
                    const int hi =
                        KILN_MIN(KILN_OW, off >= KILN_W ? 0 : (KILN_W - off + KILN_SW - 1) / KILN_SW);
                    const float wv = wc[kh * KILN_KW + kw];
                    for (int ow = lo; ow < hi; ow++) yr[ow] += wv * xr[ow * KILN_SW + off];
                }
            }
        }
        /* Epilogue over the whole plane at once, in vectors: with GELU (VAN's MLP) it costs
         * more than the taps when done one pixel at a time. */
        kiln_epilogue(yp, b, KILN_HAS_RESIDUAL ? rp : NULL, yp, KILN_OH * KILN_OW, KILN_ACT);
#endif
    }
}
#undef KDW_WP
#undef KDW_HP
#undef KDW_NV
#undef KDW_CH
#undef KDW_PADROWS
