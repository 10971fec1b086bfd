/* conv/conv2d_winograd.c — 3x3 stride-1 Conv2d (NCHW, float32) by Winograd F(4x4, 3x3) or
 * F(2x2, 3x3) (KILN_M), with the same fused epilogue as conv2d_gemm.c (bias, residual, activation).
 * Below, the F(4x4) case; F(2x2) has 4x4 patches, 16 GEMMs, 2x2 output tiles and
 *     B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]   G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1]
 *     A^T = [1 1 1 0; 0 1 -1 -1]
 * (2.25x fewer multiplies instead of 4x, a 16/9 instead of 36/9 larger weight: the choice for
 * 7x7 maps, whose 16 tiles of 2x2 fill a block where 4 tiles of 4x4 would fill a quarter).
 *
 * Each output tile of 4x4 pixels comes from a 6x6 input patch d: y_tile = A^T [U . V] A with
 * V = B^T d B per input channel and U = G g G^T per weight (precomputed by the Swift side),
 * summed over input channels. Per tile that is 36 multiply-adds per (cout, cin) pair instead
 * of 144, so 3x3 layers run on 1/4 of the direct method's multiplies; the price is the two
 * transforms (cheap, O(C) per tile) and a 4x larger weight (36 instead of 9 floats per pair).
 * Points 0, +-1, +-2 (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks"):
 *     B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
 *     G   = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1]
 *     A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]
 *
 * Tiles t = (n*TH + th)*TW + tw (TH = ceil(OH/4), TW = ceil(OW/4)) are processed in groups of
 * KILN_TG blocks of NR tiles, so the transformed data of a group stays in cache and
 * scratch stays bounded at any batch. With at least 3 groups per thread, each thread takes
 * whole groups (in its own scratch slice); else every group is shared, in three parallel phases:
 *   1. input transform:  V[xi][b][c][NR]   (xi = 6*i + j of the 6x6 transform, b the block)
 *   2. 36 GEMMs:         M[xi][m][b*NR + l] = sum_c U[xi][m][c] * V[xi][b][c][l], on the
 *                        same MR x NR register tile as conv2d_gemm.c
 *   3. output transform: y = act(A^T M A + bias + residual), written only inside the image.
 *
 * upacked (made by the Swift side): for xi in 0..<36, for mb in 0..<ceil(COUT/MR), for c in
 * 0..<CIN, for r in 0..<MR: U[xi][mb*MR + r][c], or 0 when mb*MR + r >= COUT.
 * Scratch: 36 * TG*NR * (CIN + COUT) floats, shared by the threads or, with whole groups per
 * thread, in each thread's slice (KILN_SCRATCH_PER_THREAD apart).
 *
 * Params: KILN_FN, KILN_N, KILN_CIN, KILN_H, KILN_W, KILN_COUT, KILN_OH, KILN_OW, KILN_PH,
 * KILN_PW, KILN_M (2 or 4), KILN_MR (register-tile rows), KILN_NR (tiles per block: register-tile columns, a
 * multiple of KILN_VL), KILN_TG (blocks per group), KILN_HAS_BIAS, KILN_HAS_RESIDUAL, KILN_ACT.
 */
#ifndef KILN_COMMON_H
#include "../kiln_common.h"
#endif

#ifndef KILN_FN
#define KILN_FN kiln_conv2d_winograd
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
#define KILN_COUT 16
#endif
#ifndef KILN_PH
#define KILN_PH 1
#endif
#ifndef KILN_PW
#define KILN_PW 1
#endif
#ifndef KILN_OH
#define KILN_OH (KILN_H + 2 * KILN_PH - 2)
#endif
#ifndef KILN_OW
#define KILN_OW (KILN_W + 2 * KILN_PW - 2)
#endif
#ifndef KILN_MR
#define KILN_MR 6
#endif
#ifndef KILN_M
#define KILN_M 4 /* output tile: F(4x4, 3x3), or 2 for F(2x2, 3x3) */
#endif
#ifndef KILN_NR
#define KILN_NR (2 * KILN_VL)
#endif
#ifndef KILN_TG
#define KILN_TG 1
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
#define KWG_NR KILN_NR
#define KWG_NV (KILN_NR / KILN_VL)
#define KWG_A (KILN_M + 2)  /* input patch and transform size */
#define KWG_XI (KWG_A * KWG_A) /* GEMMs: one per point of the transform */
#define KWG_TH ((KILN_OH + KILN_M - 1) / KILN_M)
#define KWG_TW ((KILN_OW + KILN_M - 1) / KILN_M)
#define KWG_T (KILN_N * KWG_TH * KWG_TW)
#define KWG_TB ((KWG_T + KWG_NR - 1) / KWG_NR)  /* tile blocks */
#define KWG_MB ((KILN_COUT + KILN_MR - 1) / KILN_MR) /* row blocks of U */
#define KWG_GP (KILN_TG * KWG_NR)                /* tile columns of one group */
#define KWG_GROUPS ((KWG_TB + KILN_TG - 1) / KILN_TG)
/* Columns of tile block b worth computing: whole vectors up to its last tile (a 56x56 map's
 * 196 tiles leave 4 in the last block of 32, which then takes one vector, not two). */
#define KWG_COLS(b) KILN_MIN(KWG_NR, (KWG_T - (b) * KWG_NR + KILN_VL - 1) / KILN_VL * KILN_VL)
#ifndef KWG_PRIVATE_MIN
#define KWG_PRIVATE_MIN 3 /* groups per thread from which each thread runs whole groups */
#endif

_Static_assert(KILN_OH == KILN_H + 2 * KILN_PH - 2 && KILN_OW == KILN_W + 2 * KILN_PW - 2,
               "conv2d_winograd: a 3x3 stride-1 undilated conv");
_Static_assert(KILN_MR >= 1 && KILN_TG >= 1 && KILN_NR % KILN_VL == 0 && KILN_NR >= KILN_VL,
               "conv2d_winograd: needs MR >= 1, TG >= 1, NR a multiple of VL");
_Static_assert(KILN_M == 2 || KILN_M == 4, "conv2d_winograd: KILN_M is 2 or 4");
_Static_assert((long long)KWG_XI * KWG_GP * (KILN_CIN + KILN_COUT) <= (long long)KILN_SCRATCH_PER_THREAD,
               "conv2d_winograd: XI*TG*NR*(CIN+COUT) exceeds KILN_SCRATCH_PER_THREAD");

/* r = B^T z for the A vectors z[0], z[s], ..., z[(A-1)s]. */
static inline __attribute__((always_inline)) void KILN_CAT(KILN_FN, _bt)(const kiln_vf* z, int s, kiln_vf* r, int rs) {
#if KILN_M == 2 /* B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1] */
    r[0] = z[0] - z[2 * s];
    r[rs] = z[s] + z[2 * s];
    r[2 * rs] = z[2 * s] - z[s];
    r[3 * rs] = z[s] - z[3 * s];
#else
    const kiln_vf z0 = z[0], z1 = z[s], z2 = z[2 * s], z3 = z[3 * s], z4 = z[4 * s], z5 = z[5 * s];
    const kiln_vf four = kiln_vbroadcast(4.0f), five = kiln_vbroadcast(5.0f), two = kiln_vbroadcast(2.0f);
    const kiln_vf p = z4 - four * z2, q = z3 - four * z1;
    r[0] = four * z0 - five * z2 + z4;
    r[rs] = p + q;
    r[2 * rs] = p - q;
    const kiln_vf u = z4 - z2, w = two * (z3 - z1);
    r[3 * rs] = u + w;
    r[4 * rs] = u - w;
    r[5 * rs] = four * z1 - five * z3 + z5;
#endif
}

/* o = A^T m for the A vectors m[0], m[s], ..., m[(A-1)s]. */
static inline __attribute__((always_inline)) void KILN_CAT(KILN_FN, _at)(const kiln_vf* m, int s, kiln_vf* o, int os) {
#if KILN_M == 2 /* A^T = [1 1 1 0; 0 1 -1 -1] */
    o[0] = m[0] + m[s] + m[2 * s];
    o[os] = m[s] - m[2 * s] - m[3 * s];
#else
    const kiln_vf a = m[s] + m[2 * s], b = m[s] - m[2 * s], c = m[3 * s] + m[4 * s], d = m[3 * s] - m[4 * s];
    const kiln_vf two = kiln_vbroadcast(2.0f), four = kiln_vbroadcast(4.0f), eight = kiln_vbroadcast(8.0f);
    o[0] = m[0] + a + c;
    o[os] = b + two * d;
    o[2 * os] = a + four * c;
    o[3 * os] = b + eight * d + m[5 * s];
#endif
}

/* Phase 1 for channel c of VL tiles from t0: V[xi][c] lanes for the block at v (block-local). */
static inline void KILN_CAT(KILN_FN, _input)(const float* KILN_RESTRICT x, int c, int t0, float* KILN_RESTRICT v) {
    float d[KWG_XI][KILN_VL];
    for (int l = 0; l < KILN_VL; l++) {
        const int t = t0 + l;
        if (t >= KWG_T) { /* past the last tile */
            for (int i = 0; i < KWG_XI; i++) d[i][l] = 0.0f;
            continue;
        }
        const int n = t / (KWG_TH * KWG_TW), th = t / KWG_TW % KWG_TH, tw = t % KWG_TW;
        const int ih0 = th * KILN_M - KILN_PH, iw0 = tw * KILN_M - KILN_PW;
        const float* plane = x + ((ptrdiff_t)n * KILN_CIN + c) * KILN_H * KILN_W;
        if (ih0 >= 0 && iw0 >= 0 && ih0 + KWG_A <= KILN_H && iw0 + KWG_A <= KILN_W) {
            for (int i = 0; i < KWG_A; i++)
                for (int j = 0; j < KWG_A; j++) d[i * KWG_A + j][l] = plane[(ih0 + i) * KILN_W + iw0 + j];
        } else { /* a tile on the image border */
            for (int i = 0; i < KWG_A; i++)
                for (int j = 0; j < KWG_A; j++) {
                    const int ih = ih0 + i, iw = iw0 + j;
                    const int in = ih >= 0 && ih < KILN_H && iw >= 0 && iw < KILN_W;
                    d[i * KWG_A + j][l] = in ? plane[ih * KILN_W + iw] : 0.0f;
                }
        }
    }
    kiln_vf dv[KWG_XI], tv[KWG_XI];
    for (int i = 0; i < KWG_XI; i++) dv[i] = kiln_vload(d[i]);
    for (int j = 0; j < KWG_A; j++) KILN_CAT(KILN_FN, _bt)(dv + j, KWG_A, tv + j, KWG_A); /* columns */
    for (int i = 0; i < KWG_A; i++) KILN_CAT(KILN_FN, _bt)(tv + KWG_A * i, 1, dv + KWG_A * i, 1); /* rows */
    const ptrdiff_t xi_stride = (ptrdiff_t)KILN_TG * KILN_CIN * KWG_NR;
    for (int xi = 0; xi < KWG_XI; xi++) kiln_vstore(v + xi * xi_stride, dv[xi]);
}

/* Phase 3 for output channel m of VL tiles from t0, reading M column `col` of the group. */
static inline void KILN_CAT(KILN_FN, _output)(const float* KILN_RESTRICT mbuf, int m, int col, int t0,
                                              const float* KILN_RESTRICT bias, const float* KILN_RESTRICT residual,
                                              float* KILN_RESTRICT y) {
    kiln_vf mv[KWG_XI], tv[KILN_M * KWG_A];
    for (int xi = 0; xi < KWG_XI; xi++) mv[xi] = kiln_vload(mbuf + ((ptrdiff_t)xi * KILN_COUT + m) * KWG_GP + col);
    for (int j = 0; j < KWG_A; j++) KILN_CAT(KILN_FN, _at)(mv + j, KWG_A, tv + j, KWG_A); /* columns: M rows of A */
    kiln_vf ov[KILN_M * KILN_M];
    for (int i = 0; i < KILN_M; i++) KILN_CAT(KILN_FN, _at)(tv + KWG_A * i, 1, ov + KILN_M * i, 1);
    float o[KILN_M * KILN_M][KILN_VL];
    for (int i = 0; i < KILN_M * KILN_M; i++) kiln_vstore(o[i], ov[i]);
    const float b = KILN_HAS_BIAS ? bias[m] : 0.0f;
    for (int l = 0; l < KILN_VL && t0 + l < KWG_T; l++) {
        const int t = t0 + l;
        const int n = t / (KWG_TH * KWG_TW), th = t / KWG_TW % KWG_TH, tw = t % KWG_TW;
        const ptrdiff_t plane = ((ptrdiff_t)n * KILN_COUT + m) * KILN_OH * KILN_OW;
        for (int i = 0; i < KILN_M && th * KILN_M + i < KILN_OH; i++)
            for (int j = 0; j < KILN_M && tw * KILN_M + j < KILN_OW; j++) {
                const ptrdiff_t at = plane + (ptrdiff_t)(th * KILN_M + i) * KILN_OW + tw * KILN_M + j;
                float s = o[i * KILN_M + j][l] + b;
#if KILN_HAS_RESIDUAL
                s += residual[at];
#endif
                y[at] = KILN_ACT_S(KILN_ACT, s);
            }
    }
    (void)residual;
}

/* Phase 2, task (xi, b) of the group: the MR x (nv*VL) tiles of M[xi] for block b, over all
 * of COUT. Always inlined, so nv (KWG_NV, or 1 for a last block of at most VL tiles) is a constant. */
static inline __attribute__((always_inline)) void KILN_CAT(KILN_FN, _gemm_cols)(
    int xi, int b, const float* KILN_RESTRICT upacked, const float* KILN_RESTRICT vbuf,
    float* KILN_RESTRICT mbuf, int nv) {
    const float* bp = vbuf + (((ptrdiff_t)xi * KILN_TG + b) * KILN_CIN) * KWG_NR;
    for (int mb = 0; mb < KWG_MB; mb++) {
        const float* a = upacked + ((ptrdiff_t)xi * KWG_MB + mb) * KILN_CIN * KILN_MR;
        kiln_vf acc[KILN_MR][KWG_NV];
        KILN_UNROLL
        for (int r = 0; r < KILN_MR; r++) {
            KILN_UNROLL
            for (int v = 0; v < nv; v++) acc[r][v] = kiln_vbroadcast(0.0f);
        }
        for (int c = 0; c < KILN_CIN; c++) {
            kiln_vf bv[KWG_NV];
            KILN_UNROLL
            for (int v = 0; v < nv; v++) bv[v] = kiln_vload(bp + c * KWG_NR + v * KILN_VL);
            KILN_UNROLL
            for (int r = 0; r < KILN_MR; r++) {
                const kiln_vf av = kiln_vbroadcast(a[c * KILN_MR + r]);
                KILN_UNROLL
                for (int v = 0; v < nv; v++) acc[r][v] = kiln_vfma(av, bv[v], acc[r][v]);
            }
        }
        const int rows = KILN_MIN(KILN_MR, KILN_COUT - mb * KILN_MR);
        for (int r = 0; r < rows; r++) {
            float* row = mbuf + ((ptrdiff_t)xi * KILN_COUT + mb * KILN_MR + r) * KWG_GP + b * KWG_NR;
            KILN_UNROLL
            for (int v = 0; v < nv; v++) kiln_vstore(row + v * KILN_VL, acc[r][v]);
        }
    }
}

/* Phase 2 for block b of the group whose first block is b0. */
static inline void KILN_CAT(KILN_FN, _gemm)(int xi, int b0, int b, const float* KILN_RESTRICT upacked,
                                            const float* KILN_RESTRICT vbuf, float* KILN_RESTRICT mbuf) {
    if (KWG_NV > 1 && KWG_COLS(b0 + b) <= KILN_VL)
        KILN_CAT(KILN_FN, _gemm_cols)(xi, b, upacked, vbuf, mbuf, 1);
    else
        KILN_CAT(KILN_FN, _gemm_cols)(xi, b, upacked, vbuf, mbuf, KWG_NV);
}

/* Phase 1 for channel c of block b of the group whose first block is b0. */
static inline __attribute__((always_inline)) void KILN_CAT(KILN_FN, _input_block)(const float* KILN_RESTRICT x, int c, int b0, int b,
                                                   float* KILN_RESTRICT vbuf) {
    for (int h = 0; h < KWG_COLS(b0 + b); h += KILN_VL)
        KILN_CAT(KILN_FN, _input)(x, c, (b0 + b) * KWG_NR + h, vbuf + ((ptrdiff_t)b * KILN_CIN + c) * KWG_NR + h);
}

/* Phase 3 for output channel m of block b of the group whose first block is b0. */
static inline __attribute__((always_inline)) void KILN_CAT(KILN_FN, _output_block)(const float* KILN_RESTRICT mbuf, int m, int b0, int b,
                                                    const float* KILN_RESTRICT bias,
                                                    const float* KILN_RESTRICT residual, float* KILN_RESTRICT y) {
    for (int h = 0; h < KWG_COLS(b0 + b); h += KILN_VL)
        KILN_CAT(KILN_FN, _output)(mbuf, m, b * KWG_NR + h, (b0 + b) * KWG_NR + h, bias, residual, y);
}

static void KILN_FN(const float* KILN_RESTRICT x, const float* KILN_RESTRICT upacked,
                    const float* KILN_RESTRICT bias, const float* KILN_RESTRICT residual,
                    float* KILN_RESTRICT y, float* KILN_RESTRICT scratch) {
    KILN_OMP(parallel)
    {
        /* With KWG_PRIVATE_MIN groups or more per thread, each thread runs whole groups in its
         * own scratch slice: no barriers, and V and M stay in the core that wrote them. Else the
         * threads share each group, phase by phase: ResNet-50's 56x56 layers (7 groups of 32
         * tiles) ran at 1.23x their 1-thread speed on 2 threads that way. */
        const int threads = kiln_team_size();
        if (KWG_GROUPS >= KWG_PRIVATE_MIN * threads) {
            float* vbuf = scratch + (ptrdiff_t)kiln_thread_id() * KILN_SCRATCH_PER_THREAD; /* [XI][TG][CIN][NR] */
            float* mbuf = vbuf + (ptrdiff_t)KWG_XI * KWG_GP * KILN_CIN;                   /* [XI][COUT][TG*NR] */
            KILN_OMP(for schedule(dynamic, 1))
            for (int g = 0; g < KWG_GROUPS; g++) {
                const int b0 = g * KILN_TG, nb = KILN_MIN(KILN_TG, KWG_TB - b0);
                for (int b = 0; b < nb; b++)
                    for (int c = 0; c < KILN_CIN; c++) KILN_CAT(KILN_FN, _input_block)(x, c, b0, b, vbuf);
                for (int xi = 0; xi < KWG_XI; xi++)
                    for (int b = 0; b < nb; b++) KILN_CAT(KILN_FN, _gemm)(xi, b0, b, upacked, vbuf, mbuf);
                for (int m = 0; m < KILN_COUT; m++)
                    for (int b = 0; b < nb; b++) KILN_CAT(KILN_FN, _output_block)(mbuf, m, b0, b, bias, residual, y);
            }
        } else {
            float* vbuf = scratch;                                         /* [XI][TG][CIN][NR] */
            float* mbuf = scratch + (ptrdiff_t)KWG_XI * KWG_GP * KILN_CIN; /* [XI][COUT][TG*NR] */
            for (int b0 = 0; b0 < KWG_TB; b0 += KILN_TG) {
                const int nb = KILN_MIN(KILN_TG, KWG_TB - b0); /* tile blocks in this group */
                KILN_OMP(for schedule(static))
                for (int task = 0; task < KILN_CIN * nb; task++)
                    KILN_CAT(KILN_FN, _input_block)(x, task / nb, b0, task % nb, vbuf);
                KILN_OMP(for schedule(dynamic, 1))
                for (int task = 0; task < KWG_XI * nb; task++)
                    KILN_CAT(KILN_FN, _gemm)(task / nb, b0, task % nb, upacked, vbuf, mbuf);
                KILN_OMP(for schedule(static))
                for (int task = 0; task < KILN_COUT * nb; task++)
                    KILN_CAT(KILN_FN, _output_block)(mbuf, task / nb, b0, task % nb, bias, residual, y);
            }
        }
    }
}

#undef KWG_NR
#undef KWG_A
#undef KWG_XI
#undef KWG_NV
#undef KWG_TH
#undef KWG_TW
#undef KWG_T
#undef KWG_TB
#undef KWG_MB
#undef KWG_GP
#undef KWG_GROUPS
#undef KWG_COLS
#undef KWG_PRIVATE_MIN
