/* conv/conv2d_depthwise.c — depthwise Conv2d (GROUPS == CIN == COUT), direct, NCHW float32.
 *
 *   y[n][c][oh][ow] = act(sum_{kh,kw} w[c][0][kh][kw] * x[n][c][oh*SH-PH+kh*DH][ow*SW-PW+kw*DW]
 *                         + bias[c] + residual[n][c][oh][ow])       (taps outside x count as 0)
 * w is the plain PyTorch layout [C][1][KH][KW] (no packing). bias/residual are read only if
 * KILN_HAS_BIAS / KILN_HAS_RESIDUAL (pass NULL otherwise); residual must not alias y. At stride 1
 * y may be x itself: each plane is copied into scratch before its output is written (PlanMemory
 * writes over a dying input, whose lines this core has just written: see docs/DESIGN.md).
 * scratch: stride-1 convs use KILN_DW_SCRATCH floats per thread (below); others none.
 *
 * Params: KILN_FN, KILN_N, KILN_CIN, KILN_H, KILN_W, KILN_COUT, KILN_OH, KILN_OW, KILN_KH,
 * KILN_KW, KILN_SH, KILN_SW, KILN_PH, KILN_PW, KILN_DH, KILN_DW, KILN_GROUPS,
 * KILN_HAS_BIAS, KILN_HAS_RESIDUAL, KILN_ACT (0 none, 1 ReLU, ...: see kiln_common.h).
 *
 * Algorithm: parallel over (n, c) planes. Stride 1 (all of VAN's): the plane is copied into
 * a zero-padded plane in scratch (its border is zeroed once per call: the copies only write
 * the image), and the output is computed in bands of KDW_RB rows (DH apart, so that they read
 * the same padded rows) by KDW_NV vectors of columns, all in registers: each padded row's
 * vectors are loaded once per tap column and feed every row of the band whose taps reach
 * that row, so that for a KxK kernel a load feeds up to K FMAs instead of one (unaligned tap
 * loads straddle cache lines and had cost ~1.7 cycles a tap FMA on Zen 4; bands run at
 * 1.1-1.4). Rows and columns past the output are computed and dropped; the epilogue (bias,
 * residual, activation) runs in registers on the way out.
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

/* Band shape: KDW_RB rows by KDW_NV vectors of accumulators, 16 of them at most with 32
 * vector registers (VL 16), 8 with 16. */
#define KDW_NVEC ((KILN_OW + KILN_VL - 1) / KILN_VL)
#if KILN_VL == 16
#define KDW_NV (KDW_NVEC < 4 ? KDW_NVEC : 4)
#else
#define KDW_NV (KDW_NVEC < 2 ? KDW_NVEC : 2)
#endif
#define KDW_RB0 (KDW_NV == 1 ? 8 : 4)
#define KDW_ROWS ((KILN_OH + KILN_DH - 1) / KILN_DH) /* rows a band can use, at most */
/* The fewest bands of at most KDW_RB0 rows, as even as they go: a 14-row map takes 2 bands of
 * 7, not 8 + 8 whose last 2 rows are dropped. */
#define KDW_RB ((KDW_ROWS + (KDW_ROWS + KDW_RB0 - 1) / KDW_RB0 - 1) / ((KDW_ROWS + KDW_RB0 - 1) / KDW_RB0))
_Static_assert(KDW_RB <= KILN_DW_RB_MAX && KDW_NV <= KILN_DW_NV_MAX, "conv2d_depthwise: band too big");
/* The padded plane: the image, its padding, a vector of slack right (the last column block's
 * dropped columns read it) and the rows the last band's dropped rows read, below. */
#define KDW_WP (KILN_W + 2 * KILN_PW + KILN_VL)
#define KDW_HP (KILN_H + 2 * KILN_PH + (KDW_RB - 1) * KILN_DH)
/* Floats of scratch per thread the stride-1 path needs. The generator allocates
 * (H + 2PH + 7DH) * (W + 2PW + 16), which covers every VL. */
#define KILN_DW_SCRATCH (KDW_HP * KDW_WP)

_Static_assert(KILN_SH != 1 || KILN_SW != 1 || KILN_DW_SCRATCH <= KILN_SCRATCH_PER_THREAD,
               "conv2d_depthwise: the padded plane exceeds KILN_SCRATCH_PER_THREAD");

/* Stride 1, one band: output rows oh0 + r*DH (r < KDW_RB) at columns c0 .. c0 + NV*VL - 1 of
 * plane yp, from the padded plane (the taps: kiln_dw_band), then the epilogue. */
static inline __attribute__((always_inline)) void KILN_CAT(KILN_FN, _band)(
    const float* KILN_RESTRICT pad, const float* KILN_RESTRICT wc, float b, const float* KILN_RESTRICT rp,
    float* KILN_RESTRICT yp, int oh0, int c0) {
    kiln_vf acc[KILN_DW_RB_MAX][KILN_DW_NV_MAX];
    KILN_UNROLL
    for (int r = 0; r < KDW_RB; r++) {
        KILN_UNROLL
        for (int v = 0; v < KDW_NV; v++) acc[r][v] = kiln_vbroadcast(b);
    }
    kiln_dw_band(acc, pad + (ptrdiff_t)oh0 * KDW_WP + c0, KDW_WP, wc, KILN_KH, KILN_KW, KILN_DH, KILN_DW, KDW_RB, KDW_NV,
                 oh0 - KILN_PH, KILN_H, c0 - KILN_PW, KILN_W, KILN_MIN(KDW_NV * KILN_VL, KILN_OW - c0));
    for (int r = 0; r < KDW_RB && oh0 + r * KILN_DH < KILN_OH; r++) {
        const ptrdiff_t o = (ptrdiff_t)(oh0 + r * KILN_DH) * KILN_OW + c0;
        KILN_UNROLL
        for (int v = 0; v < KDW_NV; v++) {
            const int n = KILN_MIN(KILN_VL, KILN_OW - c0 - v * KILN_VL); /* valid columns */
            if (n <= 0) break;
            kiln_vf s = acc[r][v];
            if (n == KILN_VL) {
                if (KILN_HAS_RESIDUAL) s += kiln_vload(rp + o + v * KILN_VL);
                kiln_vstore(yp + o + v * KILN_VL, KILN_ACT_V(KILN_ACT, s));
            } else { /* the row's last vector, cut: masked moves (every row of a 14- or 7-wide map) */
                if (KILN_HAS_RESIDUAL) s += kiln_vload_n(rp + o + v * KILN_VL, n);
                kiln_vstore_n(yp + o + v * KILN_VL, KILN_ACT_V(KILN_ACT, s), n);
            }
        }
    }
}

/* Stride 1, one plane: its image into the padded plane (whose border is zero), then the bands. */
static inline void KILN_CAT(KILN_FN, _plane_s1)(const float* xp, const float* KILN_RESTRICT wc,
                                                float b, const float* KILN_RESTRICT rp,
                                                float* yp, float* KILN_RESTRICT pad) {
    for (int ih = 0; ih < KILN_H; ih++)
        memcpy(pad + (ptrdiff_t)(ih + KILN_PH) * KDW_WP + KILN_PW, xp + (ptrdiff_t)ih * KILN_W, sizeof(float) * KILN_W);
    for (int blk = 0; blk < KILN_OH; blk += KDW_RB * KILN_DH) /* DH interleaved bands a block */
        for (int d = 0; d < KILN_DH && blk + d < KILN_OH; d++)
            for (int c0 = 0; c0 < KILN_OW; c0 += KDW_NV * KILN_VL)
                KILN_CAT(KILN_FN, _band)(pad, wc, b, rp, yp, blk + d, c0);
}

static void KILN_FN(const float* x, const float* KILN_RESTRICT w,
                    const float* KILN_RESTRICT bias, const float* KILN_RESTRICT residual,
                    float* y, float* KILN_RESTRICT scratch) {
    (void)bias;
    (void)residual;
    (void)scratch;
#if KILN_SH == 1 && KILN_SW == 1
    KILN_OMP(parallel)
    {
        float* pad = scratch + (ptrdiff_t)kiln_thread_id() * KILN_SCRATCH_PER_THREAD;
        memset(pad, 0, sizeof(float) * (size_t)KILN_DW_SCRATCH);
        KILN_OMP(for schedule(static))
        for (int nc = 0; nc < KILN_N * KILN_CIN; nc++) {
            const int c = nc % KILN_CIN;
            KILN_CAT(KILN_FN, _plane_s1)(x + (ptrdiff_t)nc * KILN_H * KILN_W, w + (ptrdiff_t)c * KILN_KH * KILN_KW,
                                         KILN_HAS_BIAS ? bias[c] : 0.0f,
                                         KILN_HAS_RESIDUAL ? residual + (ptrdiff_t)nc * KILN_OH * KILN_OW : residual,
                                         y + (ptrdiff_t)nc * KILN_OH * KILN_OW, pad);
        }
    }
#else
    KILN_OMP_PARALLEL_FOR(schedule(static))
    for (int nc = 0; nc < KILN_N * KILN_CIN; nc++) {
        const int c = nc % KILN_CIN;
        const float* xp = x + (ptrdiff_t)nc * KILN_H * KILN_W;
        const float* wc = w + (ptrdiff_t)c * KILN_KH * KILN_KW;
        float* yp = y + (ptrdiff_t)nc * KILN_OH * KILN_OW;
        const float* rp = KILN_HAS_RESIDUAL ? residual + (ptrdiff_t)nc * KILN_OH * KILN_OW : residual; /* may be NULL */
        const float b = KILN_HAS_BIAS ? bias[c] : 0.0f;
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
    }
#endif
}
#undef KDW_NVEC
#undef KDW_NV
#undef KDW_RB0
#undef KDW_ROWS
#undef KDW_RB
#undef KDW_WP
#undef KDW_HP
