/* conv/conv2d_direct.c — grouped and depthwise Conv2d (NCHW, float32), direct, any kernel,
 * stride, padding and dilation, with the fused epilogue of conv2d_gemm.c.
 *
 *   y[n][o][oh][ow] = act(sum_{c,kh,kw} w[o][c][kh][kw] * x[n][g*CG+c][oh*SH-PH+kh*DH][ow*SW-PW+kw*DW]
 *                         + bias[o] + residual[n][o][oh][ow])      g = o / MG, taps outside x are 0
 * with CG = CIN/GROUPS, MG = COUT/GROUPS. w is the plain PyTorch layout [COUT][CG][KH][KW].
 * For the convs the GEMM serves badly: few output channels per group (EPSANet's 5x5/g4,
 * 7x7/g8 and 9x9/g16 branches, depthwise), where im2col would copy each input KH*KW times to
 * feed a handful of multiply-adds.
 *
 * Algorithm, two parallel phases:
 *   1. Every input plane is copied, zero-padded, into scratch as SH*SW phase planes
 *      P[ph][pw][r][j] = xpad[r*SH + ph][j*SW + pw] of width WQ = ceil((W + 2PW)/SW). Then the
 *      tap (kh, kw) of output (oh, ow) is P[(kh*DH)%SH][(kw*DW)%SW][oh + kh*DH/SH][ow + kw*DW/SW]:
 *      at a fixed offset from position oh*WQ + ow, whatever the stride.
 *   2. Tasks (n, group, block of MR output channels, strip of output rows) run over the strip's
 *      positions laid out at width WQ (the columns past OW are computed and dropped, so every
 *      loop is long and contiguous even on 7-wide maps), KILN_NV vectors at a time: MR x NV
 *      accumulators, one load per vector and tap shared by the MR channels. The strip lands in
 *      a stack buffer and the epilogue copies its valid columns to y.
 * Both phases split statically into one contiguous run a thread, so a thread's tasks read the
 * planes it padded (groups are runs of channels): EPSANet-50 0.99x the time of a dynamic split.
 * Scratch: N*CIN*KDD_PLANE floats (the phase planes of every input channel), shared.
 *
 * Params: KILN_FN, KILN_N, KILN_CIN, KILN_H, KILN_W, KILN_COUT, KILN_OH, KILN_OW, KILN_KH,
 * KILN_KW, KILN_SH, KILN_SW, KILN_PH, KILN_PW, KILN_DH, KILN_DW, KILN_GROUPS, KILN_MR (output
 * channels per task, divides MG), KILN_NV (vectors per register tile), KILN_HAS_BIAS,
 * KILN_HAS_RESIDUAL, KILN_ACT.
 */
#ifndef KILN_COMMON_H
#include "../kiln_common.h"
#endif

#ifndef KILN_FN
#define KILN_FN kiln_conv2d_direct
#endif
#ifndef KILN_N
#define KILN_N 1
#endif
#ifndef KILN_CIN
#define KILN_CIN 8
#endif
#ifndef KILN_H
#define KILN_H 12
#endif
#ifndef KILN_W
#define KILN_W 12
#endif
#ifndef KILN_COUT
#define KILN_COUT 8
#endif
#ifndef KILN_OH
#define KILN_OH 12
#endif
#ifndef KILN_OW
#define KILN_OW 12
#endif
#ifndef KILN_KH
#define KILN_KH 5
#endif
#ifndef KILN_KW
#define KILN_KW 5
#endif
#ifndef KILN_SH
#define KILN_SH 1
#endif
#ifndef KILN_SW
#define KILN_SW 1
#endif
#ifndef KILN_PH
#define KILN_PH 2
#endif
#ifndef KILN_PW
#define KILN_PW 2
#endif
#ifndef KILN_DH
#define KILN_DH 1
#endif
#ifndef KILN_DW
#define KILN_DW 1
#endif
#ifndef KILN_GROUPS
#define KILN_GROUPS 4
#endif
#ifndef KILN_MR
#define KILN_MR 2
#endif
#ifndef KILN_NV
#define KILN_NV 4
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

/* Derived sizes (helpers, #undef'd at the end). */
#define KDD_CG (KILN_CIN / KILN_GROUPS)
#define KDD_MG (KILN_COUT / KILN_GROUPS)
#define KDD_KK (KILN_KH * KILN_KW)
#define KDD_CHUNK (KILN_NV * KILN_VL)                              /* positions per register tile */
#define KDD_HQ ((KILN_H + 2 * KILN_PH + KILN_SH - 1) / KILN_SH)   /* phase plane rows */
#define KDD_WQ ((KILN_W + 2 * KILN_PW + KILN_SW - 1) / KILN_SW)   /* phase plane width */
/* Output rows per strip: about 1024 positions, so the stack buffer stays at MR*4 KiB. */
#define KDD_ROWS KILN_MIN(KILN_OH, (1024 + KDD_WQ - 1) / KDD_WQ)
#define KDD_STRIPS ((KILN_OH + KDD_ROWS - 1) / KDD_ROWS)
#define KDD_SPAN ((KDD_ROWS * KDD_WQ + KDD_CHUNK - 1) / KDD_CHUNK * KDD_CHUNK) /* positions per strip */
/* A phase plane plus zero rows for the dropped columns' reads past the last row. */
#define KDD_QPLANE ((KDD_HQ + KDD_CHUNK / KDD_WQ + 2) * KDD_WQ)
#define KDD_PLANE (KILN_SH * KILN_SW * KDD_QPLANE)

_Static_assert(KILN_CIN % KILN_GROUPS == 0 && KILN_COUT % KILN_GROUPS == 0,
               "conv2d_direct: GROUPS must divide CIN and COUT");
_Static_assert(KDD_MG % KILN_MR == 0 && KILN_NV >= 1, "conv2d_direct: MR must divide COUT/GROUPS");
_Static_assert((long long)KILN_N * KILN_CIN * KDD_PLANE <= (long long)KILN_SCRATCH_PER_THREAD,
               "conv2d_direct: the padded planes exceed KILN_SCRATCH_PER_THREAD");

/* Phase 1: the phase planes of input plane nc (zero outside the image). */
static inline void KILN_CAT(KILN_FN, _pad)(const float* KILN_RESTRICT xp, float* KILN_RESTRICT q) {
    for (int ph = 0; ph < KILN_SH; ph++)
        for (int pw = 0; pw < KILN_SW; pw++) {
            float* plane = q + (ph * KILN_SW + pw) * KDD_QPLANE;
            for (int r = 0; r < KDD_QPLANE / KDD_WQ; r++) {
                float* row = plane + r * KDD_WQ;
                const int ih = r * KILN_SH + ph - KILN_PH;
                if (ih < 0 || ih >= KILN_H) {
                    for (int j = 0; j < KDD_WQ; j++) row[j] = 0.0f;
                    continue;
                }
                const float* src = xp + (ptrdiff_t)ih * KILN_W;
                for (int j = 0; j < KDD_WQ; j++) {
                    const int iw = j * KILN_SW + pw - KILN_PW;
                    row[j] = iw >= 0 && iw < KILN_W ? src[iw] : 0.0f;
                }
            }
        }
}

/* Offset of tap (kh, kw) from an output position, in its phase planes. */
#define KDD_TAP(kh, kw)                                                                      \
    ((((kh)*KILN_DH % KILN_SH) * KILN_SW + (kw)*KILN_DW % KILN_SW) * KDD_QPLANE +             \
     ((kh)*KILN_DH / KILN_SH) * KDD_WQ + (kw)*KILN_DW / KILN_SW)

static void KILN_FN(const float* KILN_RESTRICT x, const float* KILN_RESTRICT w,
                    const float* KILN_RESTRICT bias, const float* KILN_RESTRICT residual,
                    float* KILN_RESTRICT y, float* KILN_RESTRICT scratch) {
    enum { BLOCKS = KDD_MG / KILN_MR, TASKS = KILN_N * KILN_GROUPS * BLOCKS * KDD_STRIPS };
    KILN_OMP(parallel) {
        KILN_OMP(for schedule(static))
        for (int nc = 0; nc < KILN_N * KILN_CIN; nc++)
            KILN_CAT(KILN_FN, _pad)(x + (ptrdiff_t)nc * KILN_H * KILN_W, scratch + (ptrdiff_t)nc * KDD_PLANE);
        KILN_OMP(for schedule(static))
        for (int t = 0; t < TASKS; t++) {
            const int strip = t % KDD_STRIPS, blk = t / KDD_STRIPS % BLOCKS;
            const int g = t / (KDD_STRIPS * BLOCKS) % KILN_GROUPS, n = t / (KDD_STRIPS * BLOCKS * KILN_GROUPS);
            const int o0 = g * KDD_MG + blk * KILN_MR;         /* first output channel */
            const int r0 = strip * KDD_ROWS, rows = KILN_MIN(KDD_ROWS, KILN_OH - r0);
            const float* planes = scratch + ((ptrdiff_t)n * KILN_CIN + g * KDD_CG) * KDD_PLANE + r0 * KDD_WQ;
            const float* wo = w + (ptrdiff_t)o0 * KDD_CG * KDD_KK;
            float out[KILN_MR][KDD_SPAN];
            for (int i0 = 0; i0 < rows * KDD_WQ; i0 += KDD_CHUNK) {
                kiln_vf acc[KILN_MR][KILN_NV];
                KILN_UNROLL
                for (int m = 0; m < KILN_MR; m++) {
                    KILN_UNROLL
                    for (int v = 0; v < KILN_NV; v++) acc[m][v] = kiln_vbroadcast(0.0f);
                }
                for (int c = 0; c < KDD_CG; c++) {
                    const float* src = planes + (ptrdiff_t)c * KDD_PLANE + i0;
                    const float* wc = wo + c * KDD_KK;
                    for (int kh = 0; kh < KILN_KH; kh++)
                        KILN_UNROLL
                        for (int kw = 0; kw < KILN_KW; kw++) {
                            const float* s = src + KDD_TAP(kh, kw);
                            kiln_vf sv[KILN_NV];
                            KILN_UNROLL
                            for (int v = 0; v < KILN_NV; v++) sv[v] = kiln_vload(s + v * KILN_VL);
                            KILN_UNROLL
                            for (int m = 0; m < KILN_MR; m++) {
                                const kiln_vf wv = kiln_vbroadcast(wc[(ptrdiff_t)m * KDD_CG * KDD_KK + kh * KILN_KW + kw]);
                                KILN_UNROLL
                                for (int v = 0; v < KILN_NV; v++) acc[m][v] = kiln_vfma(wv, sv[v], acc[m][v]);
                            }
                        }
                }
                KILN_UNROLL
                for (int m = 0; m < KILN_MR; m++) {
                    KILN_UNROLL
                    for (int v = 0; v < KILN_NV; v++) kiln_vstore(&out[m][i0 + v * KILN_VL], acc[m][v]);
                }
            }
            /* Epilogue: the valid columns of each row, in vectors. */
            for (int m = 0; m < KILN_MR; m++) {
                const float b = KILN_HAS_BIAS ? bias[o0 + m] : 0.0f;
                for (int r = 0; r < rows; r++) {
                    const ptrdiff_t at = (((ptrdiff_t)n * KILN_COUT + o0 + m) * KILN_OH + r0 + r) * KILN_OW;
                    kiln_epilogue(&out[m][r * KDD_WQ], b, KILN_HAS_RESIDUAL ? residual + at : NULL, y + at, KILN_OW, KILN_ACT);
                }
            }
        }
    }
    (void)bias;
    (void)residual;
}

#undef KDD_CG
#undef KDD_MG
#undef KDD_KK
#undef KDD_CHUNK
#undef KDD_HQ
#undef KDD_WQ
#undef KDD_ROWS
#undef KDD_STRIPS
#undef KDD_SPAN
#undef KDD_QPLANE
#undef KDD_PLANE
#undef KDD_TAP
