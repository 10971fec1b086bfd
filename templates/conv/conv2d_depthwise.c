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
 * a zero-padded copy of width WP = W + 2*PW in scratch, and each tap is one long multiply-add
 * over the output plane laid out at that width (OH*WP floats, the pad columns computed and
 * dropped), so the loops are long and contiguous even for 14- or 7-wide maps. Other strides:
 * each output row accumulates one tap at a time over the in-image output positions.
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
/* Floats of scratch per thread the stride-1 path needs: the padded plane (plus one row of
 * slack for the pad columns' reads past its end) and the wide output plane. */
#define KILN_DW_SCRATCH ((KDW_HP + 1) * KDW_WP + KILN_OH * KDW_WP)

_Static_assert(KILN_SH != 1 || KILN_SW != 1 || KILN_DW_SCRATCH <= KILN_SCRATCH_PER_THREAD,
               "conv2d_depthwise: the padded plane exceeds KILN_SCRATCH_PER_THREAD");

/* Stride 1: taps as long vector loops over a zero-padded plane. */
static inline void KILN_CAT(KILN_FN, _plane_s1)(const float* KILN_RESTRICT xp, const float* KILN_RESTRICT wc,
                                                float* KILN_RESTRICT yp, float* KILN_RESTRICT pad) {
    float* KILN_RESTRICT acc = pad + (KDW_HP + 1) * KDW_WP;
    memset(pad, 0, sizeof(float) * (size_t)(KDW_HP + 1) * KDW_WP);
    for (int ih = 0; ih < KILN_H; ih++)
        memcpy(pad + (ptrdiff_t)(ih + KILN_PH) * KDW_WP + KILN_PW, xp + (ptrdiff_t)ih * KILN_W, sizeof(float) * KILN_W);
    enum { LEN = KILN_OH * KDW_WP };
    for (int i = 0; i < LEN; i++) acc[i] = 0.0f;
    for (int kh = 0; kh < KILN_KH; kh++)
        for (int kw = 0; kw < KILN_KW; kw++) {
            const float wv = wc[kh * KILN_KW + kw];
            const float* src = pad + (ptrdiff_t)kh * KILN_DH * KDW_WP + kw * KILN_DW;
            for (int i = 0; i < LEN; i++) acc[i] += wv * src[i];
        }
    for (int oh = 0; oh < KILN_OH; oh++) memcpy(yp + (ptrdiff_t)oh * KILN_OW, acc + (ptrdiff_t)oh * KDW_WP, sizeof(float) * KILN_OW);
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
#if KILN_SH == 1 && KILN_SW == 1
        KILN_CAT(KILN_FN, _plane_s1)(xp, wc, y + (ptrdiff_t)nc * KILN_OH * KILN_OW,
                                     scratch + (ptrdiff_t)kiln_thread_id() * KILN_SCRATCH_PER_THREAD);
#else
        for (int oh = 0; oh < KILN_OH; oh++) {
            float* yr = y + ((ptrdiff_t)nc * KILN_OH + oh) * KILN_OW;
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
#endif
        /* Epilogue over the whole plane at once, in vectors: with GELU (VAN's MLP) it costs
         * more than the taps when done one pixel at a time. */
        float* yp = y + (ptrdiff_t)nc * KILN_OH * KILN_OW;
        const float* rp = KILN_HAS_RESIDUAL ? residual + (ptrdiff_t)nc * KILN_OH * KILN_OW : residual; /* may be NULL */
        const float b = KILN_HAS_BIAS ? bias[c] : 0.0f;
        enum { PLANE = KILN_OH * KILN_OW };
        ptrdiff_t p = 0;
        for (; p + KILN_VL <= PLANE; p += KILN_VL) {
            kiln_vf v = kiln_vload(yp + p) + kiln_vbroadcast(b);
            if (KILN_HAS_RESIDUAL) v += kiln_vload(rp + p);
            kiln_vstore(yp + p, KILN_ACT_V(KILN_ACT, v));
        }
        for (; p < PLANE; p++) yp[p] = KILN_ACT_S(KILN_ACT, yp[p] + b + (KILN_HAS_RESIDUAL ? rp[p] : 0.0f));
    }
}
#undef KDW_WP
#undef KDW_HP
