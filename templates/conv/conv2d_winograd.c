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
 *   1. input transform:  V[xi][c][t], t the group's tiles (xi = 6*i + j of the 6x6 transform),
 *                        a tile row at a time: its 6 input rows transformed down the columns as
 *                        whole vectors, then across by lane shuffles that split the transformed
 *                        rows into the columns of VL tiles' patches (tile tw's starts at column
 *                        4*tw): no per-pixel gathers, which had taken as long as the GEMMs;
 *   2. 36 GEMMs:         M[xi][m][t] = sum_c U[xi][m][c] * V[xi][c][t], on the same MR x NR
 *                        register tile as conv2d_gemm.c (the last block's up to 8 tiles past its
 *                        whole vectors, with MR a multiple of 8, on a narrow tile: _gemm_narrow);
 *   3. output transform: y = act(A^T M A + bias + residual), VL tiles at a time (the GEMM's
 *                        blocks), each output row interleaved back into pixel order by lane
 *                        shuffles and copied as runs of one tile row, only inside the image.
 * V and M rows hold a group's tiles with a vector of slack on each side (KWG_LDV), so that the
 * transforms move whole vectors of a tile row that starts or ends outside the group.
 *
 * upacked (made by the Swift side): for xi in 0..<36, for mb in 0..<ceil(COUT/MR), for c in
 * 0..<CIN, for r in 0..<MR: U[xi][mb*MR + r][c], or 0 when mb*MR + r >= COUT.
 * Scratch: 36 * (TG*NR + 2*VL) * (CIN + COUT) floats, shared by the threads or, with whole
 * groups per thread, in each thread's slice (KILN_SCRATCH_PER_THREAD apart).
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
#define KWG_LDV (KWG_GP + 2 * KILN_VL) /* a row of V or M: the group's tiles from KILN_VL on */
#define KWG_CH ((KWG_TW + KILN_VL - 1) / KILN_VL) /* chunks of VL tiles in a tile row */
/* Tile rows a band of the input transform takes, and the floats of each in a band row:
 * several short ones side by side, their padded columns from 0 (image column iw at PW + iw) to
 * the last tile's patch but for its last 2; else one whole padded row. A band row and its
 * transform: the chunks' M*VL columns and the 2 (or 2 a tile row) after them, in vectors. */
#define KWG_Q (KWG_TW < KILN_VL ? KILN_VL / KWG_TW : 1)
#define KWG_LR (KILN_M * KWG_CH * KILN_VL + 2 * KILN_VL)
#define KWG_SEG (KWG_Q > 1 ? KILN_M * KWG_TW : KWG_LR)
/* Columns of tile block b worth computing: whole vectors up to its last tile (a 56x56 map's
 * 196 tiles leave 4 in the last block of 32, which then takes one vector, not two). */
#define KWG_COLS(b) KILN_MIN(KWG_NR, (KWG_T - (b) * KWG_NR + KILN_VL - 1) / KILN_VL * KILN_VL)
#ifndef KWG_PRIVATE_MIN
#define KWG_PRIVATE_MIN 3 /* groups per thread from which each thread runs whole groups */
#endif
/* The last block's tiles: KWG_NFULL whole vectors, then KWG_NREM more. Up to 8 of those take the
 * narrow tile (_gemm_narrow) where MR is a multiple of 8. */
#define KWG_LAST (KWG_T - (KWG_TB - 1) * KWG_NR)
#define KWG_NFULL (KWG_LAST / KILN_VL)
#define KWG_NREM (KWG_LAST % KILN_VL)
#define KWG_NARROW (KILN_MR % 8 == 0 && KWG_NREM > 0 && KWG_NREM <= 8)

_Static_assert(KILN_OH == KILN_H + 2 * KILN_PH - 2 && KILN_OW == KILN_W + 2 * KILN_PW - 2,
               "conv2d_winograd: a 3x3 stride-1 undilated conv");
_Static_assert(KILN_MR >= 1 && KILN_TG >= 1 && KILN_NR % KILN_VL == 0 && KILN_NR >= KILN_VL,
               "conv2d_winograd: needs MR >= 1, TG >= 1, NR a multiple of VL");
_Static_assert(KILN_M == 2 || KILN_M == 4, "conv2d_winograd: KILN_M is 2 or 4");
_Static_assert((long long)KWG_XI * KWG_LDV * (KILN_CIN + KILN_COUT) <= (long long)KILN_SCRATCH_PER_THREAD,
               "conv2d_winograd: XI*(TG*NR+2*VL)*(CIN+COUT) exceeds KILN_SCRATCH_PER_THREAD");
_Static_assert(KILN_W + 2 * KILN_PW <= KWG_LR, "conv2d_winograd: a padded input row exceeds KWG_LR");

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

/* Lanes l of c[q]: p[M*l + q] for the M*VL floats at p (q < M; a deinterleave by M). */
static inline __attribute__((always_inline)) void KILN_CAT(KILN_FN, _split)(const float* p, kiln_vf* c) {
    const kiln_vf v0 = kiln_vload(p), v1 = kiln_vload(p + KILN_VL);
#if KILN_M == 2
    c[0] = kiln_veven(v0, v1);
    c[1] = kiln_vodd(v0, v1);
#else
    const kiln_vf v2 = kiln_vload(p + 2 * KILN_VL), v3 = kiln_vload(p + 3 * KILN_VL);
    const kiln_vf e01 = kiln_veven(v0, v1), o01 = kiln_vodd(v0, v1), e23 = kiln_veven(v2, v3), o23 = kiln_vodd(v2, v3);
    c[0] = kiln_veven(e01, e23);
    c[1] = kiln_veven(o01, o23);
    c[2] = kiln_vodd(e01, e23);
    c[3] = kiln_vodd(o01, o23);
#endif
}

/* The inverse: lane r of p[s] is lane (s*VL + r)/M of o[(s*VL + r) % M] (an interleave by M). */
static inline __attribute__((always_inline)) void KILN_CAT(KILN_FN, _merge)(const kiln_vf* o, kiln_vf* p) {
#if KILN_M == 2
    p[0] = kiln_vziplo(o[0], o[1]);
    p[1] = kiln_vziphi(o[0], o[1]);
#else
    const kiln_vf lo02 = kiln_vziplo(o[0], o[2]), hi02 = kiln_vziphi(o[0], o[2]);
    const kiln_vf lo13 = kiln_vziplo(o[1], o[3]), hi13 = kiln_vziphi(o[1], o[3]);
    p[0] = kiln_vziplo(lo02, lo13);
    p[1] = kiln_vziphi(lo02, lo13);
    p[2] = kiln_vziplo(hi02, hi13);
    p[3] = kiln_vziphi(hi02, hi13);
#endif
}

/* Phase 1 for input channel c of the group's gn tiles from g0: V[xi][c][VL + t - g0]. A band
 * of KWG_Q tile rows at a time (several when a tile row is shorter than a vector, so that the
 * lanes fill): each tile row's A input rows, zero-padded, side by side (KWG_SEG floats each;
 * with several, the 2 columns after each tile row's last patch column go after them all), are
 * transformed down the columns as whole vectors, then split across into the columns of VL
 * tiles' patches. Tile rows that start before or end after the group are transformed whole;
 * lanes outside it land in the slack or in later tiles, which are written again after them. */
static void KILN_CAT(KILN_FN, _input)(const float* KILN_RESTRICT x, int c, int g0, int gn, float* KILN_RESTRICT vbuf) {
    float rows[KWG_A][KWG_LR], r[KWG_A][KWG_LR];
    memset(rows, 0, sizeof rows);
    for (int rr = g0 / KWG_TW; rr * KWG_TW < g0 + gn; rr += KWG_Q) {
        for (int q = 0; q < KWG_Q; q++) {
            const int n = (rr + q) / KWG_TH, th = (rr + q) % KWG_TH;
            const float* plane = x + ((ptrdiff_t)n * KILN_CIN + c) * KILN_H * KILN_W;
            for (int i = 0; i < KWG_A; i++) {
                const int ih = th * KILN_M - KILN_PH + i;
                float* seg = rows[i] + q * KWG_SEG;
                float* after = rows[i] + KWG_Q * KWG_SEG + 2 * q; /* with several tile rows */
                const int inside = rr + q < KILN_N * KWG_TH && ih >= 0 && ih < KILN_H;
                const int n0 = KILN_MIN(KILN_W, KWG_SEG - KILN_PW); /* image columns in the segment */
                if (inside)
                    memcpy(seg + KILN_PW, plane + (ptrdiff_t)ih * KILN_W, sizeof(float) * (size_t)n0);
                else
                    memset(seg + KILN_PW, 0, sizeof(float) * (size_t)n0);
                if (KWG_Q > 1)
                    for (int e = 0; e < 2; e++) {
                        const int iw = KWG_SEG + e - KILN_PW;
                        after[e] = inside && iw < KILN_W ? plane[(ptrdiff_t)ih * KILN_W + iw] : 0.0f;
                    }
            }
        }
        for (int v = 0; v < KWG_LR; v += KILN_VL) { /* down the columns: r = B^T rows */
            kiln_vf z[KWG_A], o[KWG_A];
            for (int i = 0; i < KWG_A; i++) z[i] = kiln_vload(rows[i] + v);
            KILN_CAT(KILN_FN, _bt)(z, 1, o, 1);
            for (int k = 0; k < KWG_A; k++) kiln_vstore(r[k] + v, o[k]);
        }
        for (int tw0 = 0; tw0 < (KWG_Q > 1 ? 1 : KWG_TW); tw0 += KILN_VL) { /* across, VL tiles at a time */
            const int t = rr * KWG_TW + tw0;
            if (t + KILN_VL <= g0 || t >= g0 + gn) continue; /* none of the group's tiles */
            float* dst = vbuf + (ptrdiff_t)c * KWG_LDV + KILN_VL + (t - g0);
            for (int k = 0; k < KWG_A; k++) {
                kiln_vf d[KWG_A], e[KWG_A];
                KILN_CAT(KILN_FN, _split)(r[k] + KILN_M * tw0, d);
                /* a patch's last two columns are the next tile's first two, but for a tile row's
                 * last tile when the band has several */
                const float* next = r[k] + KILN_M * (tw0 + KILN_VL);
                d[KILN_M] = kiln_vnext(d[0], kiln_vbroadcast(next[0]));
                d[KILN_M + 1] = kiln_vnext(d[1], kiln_vbroadcast(next[1]));
                if (KWG_Q > 1)
                    for (int q = 0; q < KWG_Q; q++) {
                        d[KILN_M][q * KWG_TW + KWG_TW - 1] = r[k][KWG_Q * KWG_SEG + 2 * q];
                        d[KILN_M + 1][q * KWG_TW + KWG_TW - 1] = r[k][KWG_Q * KWG_SEG + 2 * q + 1];
                    }
                KILN_CAT(KILN_FN, _bt)(d, 1, e, 1);
                for (int j = 0; j < KWG_A; j++) kiln_vstore(dst + (ptrdiff_t)(k * KWG_A + j) * KILN_CIN * KWG_LDV, e[j]);
            }
        }
    }
    if (g0 + gn == KWG_T) /* the last group: zeros past the last tile, which the GEMM reads */
        for (int xi = 0; xi < KWG_XI; xi++)
            memset(vbuf + ((ptrdiff_t)xi * KILN_CIN + c) * KWG_LDV + KILN_VL + gn, 0, sizeof(float) * (KWG_GP - gn));
}

/* Phase 3 for output channel m of the group's gn tiles from g0, reading M[xi][m][VL + t - g0],
 * VL tiles at a time (aligned with the GEMM's blocks). Each of a tile row's M output rows is
 * interleaved back into pixel order by lane shuffles; the chunk's tiles lie in one or more
 * tile rows, each a run of consecutive pixels of one image row. */
static void KILN_CAT(KILN_FN, _output)(const float* KILN_RESTRICT mbuf, int m, int g0, int gn,
                                       const float* KILN_RESTRICT bias, const float* KILN_RESTRICT residual,
                                       float* KILN_RESTRICT y) {
    const kiln_vf b = kiln_vbroadcast(KILN_HAS_BIAS ? bias[m] : 0.0f);
    for (int h = 0; h < gn; h += KILN_VL) {
        const float* src = mbuf + (ptrdiff_t)m * KWG_LDV + KILN_VL + h;
        kiln_vf mv[KWG_XI], tv[KILN_M * KWG_A], ov[KILN_M * KILN_M];
        for (int xi = 0; xi < KWG_XI; xi++) mv[xi] = kiln_vload(src + (ptrdiff_t)xi * KILN_COUT * KWG_LDV);
        for (int j = 0; j < KWG_A; j++) KILN_CAT(KILN_FN, _at)(mv + j, KWG_A, tv + j, KWG_A); /* columns: M rows of A */
        for (int i = 0; i < KILN_M; i++) KILN_CAT(KILN_FN, _at)(tv + KWG_A * i, 1, ov + KILN_M * i, 1);
        const int tiles = KILN_MIN(KILN_VL, gn - h);
        for (int i = 0; i < KILN_M; i++) {
            kiln_vf px[KILN_M];
            float row[KILN_M * KILN_VL]; /* output row i of the chunk's tiles: tile l's pixels at M*l */
            KILN_CAT(KILN_FN, _merge)(ov + KILN_M * i, px);
            for (int s = 0; s < KILN_M; s++)
                kiln_vstore(row + s * KILN_VL, KILN_HAS_RESIDUAL ? px[s] + b : KILN_ACT_V(KILN_ACT, px[s] + b));
            for (int l = 0; l < tiles;) { /* runs of tiles in one tile row */
                const int t = g0 + h + l, tw = t % KWG_TW, th = t / KWG_TW % KWG_TH, n = t / (KWG_TW * KWG_TH);
                const int run = KILN_MIN(tiles - l, KWG_TW - tw), oh = th * KILN_M + i;
                if (oh < KILN_OH) {
                    const int cols = KILN_MIN(KILN_M * run, KILN_OW - KILN_M * tw);
                    const ptrdiff_t at = (((ptrdiff_t)n * KILN_COUT + m) * KILN_OH + oh) * KILN_OW + KILN_M * tw;
#if KILN_HAS_RESIDUAL
                    float* r = row + KILN_M * l;
                    for (int c = 0; c < cols; c++) r[c] = KILN_ACT_S(KILN_ACT, r[c] + residual[at + c]);
#endif
                    memcpy(y + at, row + KILN_M * l, sizeof(float) * (size_t)cols);
                }
                l += run;
            }
        }
    }
    (void)residual;
}

/* Phase 2, task (xi, b) of the group: the MR x (nv*VL) tiles of M[xi] for block b, over all
 * of COUT. Always inlined, so nv (KWG_NV, or 1 for a last block of at most VL tiles) is a constant. */
static inline __attribute__((always_inline)) void KILN_CAT(KILN_FN, _gemm_cols)(
    int xi, int b, const float* KILN_RESTRICT upacked, const float* KILN_RESTRICT vbuf,
    float* KILN_RESTRICT mbuf, int nv) {
    const float* bp = vbuf + (ptrdiff_t)xi * KILN_CIN * KWG_LDV + KILN_VL + b * KWG_NR;
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
            for (int v = 0; v < nv; v++) bv[v] = kiln_vload(bp + (ptrdiff_t)c * KWG_LDV + v * KILN_VL);
            KILN_UNROLL
            for (int r = 0; r < KILN_MR; r++) {
                const kiln_vf av = kiln_vbroadcast(a[c * KILN_MR + r]);
                KILN_UNROLL
                for (int v = 0; v < nv; v++) acc[r][v] = kiln_vfma(av, bv[v], acc[r][v]);
            }
        }
        const int rows = KILN_MIN(KILN_MR, KILN_COUT - mb * KILN_MR);
        for (int r = 0; r < rows; r++) {
            float* row = mbuf + ((ptrdiff_t)xi * KILN_COUT + mb * KILN_MR + r) * KWG_LDV + KILN_VL + b * KWG_NR;
            KILN_UNROLL
            for (int v = 0; v < nv; v++) kiln_vstore(row + v * KILN_VL, acc[r][v]);
        }
    }
}

#if KWG_NARROW
/* Row blocks mb0 .. mb0+G-1 of the narrow tile: the last block's KWG_NREM tiles past its whole
 * vectors, with 8 output channels along the lanes of 8-float vectors (MR/8 of them a row block),
 * one FMA per tile, the G row blocks' sums independent. */
static inline __attribute__((always_inline)) void KILN_CAT(KILN_FN, _narrow_rows)(
    int xi, int b, int mb0, const float* KILN_RESTRICT upacked, const float* KILN_RESTRICT vbuf,
    float* KILN_RESTRICT mbuf, int g) {
    enum { H = KILN_MR / 8, C0 = KWG_NFULL * KILN_VL };
    const float* bp = vbuf + (ptrdiff_t)xi * KILN_CIN * KWG_LDV + KILN_VL + b * KWG_NR + C0;
    const float* a = upacked + ((ptrdiff_t)xi * KWG_MB + mb0) * KILN_CIN * KILN_MR;
    kiln_vf8 acc[4][H][KWG_NREM];
    KILN_UNROLL
    for (int q = 0; q < g; q++) {
        KILN_UNROLL
        for (int h = 0; h < H; h++) {
            KILN_UNROLL
            for (int t = 0; t < KWG_NREM; t++) acc[q][h][t] = kiln_vbroadcast8(0.0f);
        }
    }
    for (int c = 0; c < KILN_CIN; c++) {
        kiln_vf8 bv[KWG_NREM];
        KILN_UNROLL
        for (int t = 0; t < KWG_NREM; t++) bv[t] = kiln_vbroadcast8(bp[(ptrdiff_t)c * KWG_LDV + t]);
        KILN_UNROLL
        for (int q = 0; q < g; q++) {
            KILN_UNROLL
            for (int h = 0; h < H; h++) {
                const kiln_vf8 w = kiln_vload8(a + ((ptrdiff_t)q * KILN_CIN + c) * KILN_MR + 8 * h);
                KILN_UNROLL
                for (int t = 0; t < KWG_NREM; t++) acc[q][h][t] = kiln_vfma8(w, bv[t], acc[q][h][t]);
            }
        }
    }
    for (int q = 0; q < g; q++)
        for (int h = 0; h < H; h++)
            for (int l = 0; l < 8; l++) {
                const int m = (mb0 + q) * KILN_MR + 8 * h + l;
                if (m >= KILN_COUT) break;
                float* row = mbuf + ((ptrdiff_t)xi * KILN_COUT + m) * KWG_LDV + KILN_VL + b * KWG_NR + C0;
                for (int t = 0; t < KWG_NREM; t++) row[t] = acc[q][h][t][l];
            }
}

/* The narrow tile over all row blocks, G at a time so that about 4 sums are in flight (a 28x28
 * map's one tile at MR 8: 4 row blocks, 4 independent FMA chains instead of one). The M columns
 * past the last tile stay unwritten: the output transform stores no pixel they feed. */
static inline void KILN_CAT(KILN_FN, _gemm_narrow)(int xi, int b, const float* KILN_RESTRICT upacked,
                                                   const float* KILN_RESTRICT vbuf, float* KILN_RESTRICT mbuf) {
    enum { G = KILN_MR / 8 * KWG_NREM >= 4 ? 1 : 4 / (KILN_MR / 8 * KWG_NREM) };
    int mb = 0;
    for (; mb + G <= KWG_MB; mb += G) KILN_CAT(KILN_FN, _narrow_rows)(xi, b, mb, upacked, vbuf, mbuf, G);
    for (; mb < KWG_MB; mb++) KILN_CAT(KILN_FN, _narrow_rows)(xi, b, mb, upacked, vbuf, mbuf, 1);
}
#endif

/* Phase 2 for block b of the group whose first block is b0. */
static inline void KILN_CAT(KILN_FN, _gemm)(int xi, int b0, int b, const float* KILN_RESTRICT upacked,
                                            const float* KILN_RESTRICT vbuf, float* KILN_RESTRICT mbuf) {
#if KWG_NARROW
    if (b0 + b == KWG_TB - 1) { /* the last block: its whole vectors, then the narrow tile */
        if (KWG_NFULL > 0) KILN_CAT(KILN_FN, _gemm_cols)(xi, b, upacked, vbuf, mbuf, KWG_NFULL > 0 ? KWG_NFULL : 1);
        KILN_CAT(KILN_FN, _gemm_narrow)(xi, b, upacked, vbuf, mbuf);
        return;
    }
#endif
    if (KWG_NV > 1 && KWG_COLS(b0 + b) <= KILN_VL)
        KILN_CAT(KILN_FN, _gemm_cols)(xi, b, upacked, vbuf, mbuf, 1);
    else
        KILN_CAT(KILN_FN, _gemm_cols)(xi, b, upacked, vbuf, mbuf, KWG_NV);
}

static void KILN_FN(const float* KILN_RESTRICT x, const float* KILN_RESTRICT upacked,
                    const float* KILN_RESTRICT bias, const float* KILN_RESTRICT residual,
                    float* KILN_RESTRICT y, float* KILN_RESTRICT scratch) {
    kiln_counter next[KWG_GROUPS] = {{0}}; /* kiln_claim counters: each shared group's GEMMs */
    KILN_OMP(parallel)
    {
        /* With KWG_PRIVATE_MIN groups or more per thread, each thread runs whole groups in its
         * own scratch slice: no barriers, and V and M stay in the core that wrote them. Else the
         * threads share each group, phase by phase: ResNet-50's 56x56 layers (7 groups of 32
         * tiles) ran at 1.23x their 1-thread speed on 2 threads that way. */
        const int threads = kiln_team_size();
        if (KWG_GROUPS >= KWG_PRIVATE_MIN * threads) {
            float* vbuf = scratch + (ptrdiff_t)kiln_thread_id() * KILN_SCRATCH_PER_THREAD; /* [XI][CIN][LDV] */
            float* mbuf = vbuf + (ptrdiff_t)KWG_XI * KILN_CIN * KWG_LDV;                  /* [XI][COUT][LDV] */
            for (int g = kiln_run_start(KWG_GROUPS, kiln_thread_id()), end = kiln_run_start(KWG_GROUPS, kiln_thread_id() + 1); g < end; g++) {
                const int b0 = g * KILN_TG, nb = KILN_MIN(KILN_TG, KWG_TB - b0);
                const int g0 = b0 * KWG_NR, gn = KILN_MIN(KWG_GP, KWG_T - g0);
                for (int c = 0; c < KILN_CIN; c++) KILN_CAT(KILN_FN, _input)(x, c, g0, gn, vbuf);
                for (int xi = 0; xi < KWG_XI; xi++)
                    for (int b = 0; b < nb; b++) KILN_CAT(KILN_FN, _gemm)(xi, b0, b, upacked, vbuf, mbuf);
                for (int m = 0; m < KILN_COUT; m++) KILN_CAT(KILN_FN, _output)(mbuf, m, g0, gn, bias, residual, y);
            }
        } else {
            float* vbuf = scratch;                                        /* [XI][CIN][LDV] */
            float* mbuf = scratch + (ptrdiff_t)KWG_XI * KILN_CIN * KWG_LDV; /* [XI][COUT][LDV] */
            for (int b0 = 0; b0 < KWG_TB; b0 += KILN_TG) {
                const int nb = KILN_MIN(KILN_TG, KWG_TB - b0); /* tile blocks in this group */
                const int g0 = b0 * KWG_NR, gn = KILN_MIN(KWG_GP, KWG_T - g0);
                KILN_OMP(for schedule(static))
                for (int c = 0; c < KILN_CIN; c++) KILN_CAT(KILN_FN, _input)(x, c, g0, gn, vbuf);
                for (int task; (task = kiln_claim(&next[b0 / KILN_TG])) < KWG_XI * nb;)
                    KILN_CAT(KILN_FN, _gemm)(task / nb, b0, task % nb, upacked, vbuf, mbuf);
                KILN_OMP(barrier)
                KILN_OMP(for schedule(static))
                for (int m = 0; m < KILN_COUT; m++) KILN_CAT(KILN_FN, _output)(mbuf, m, g0, gn, bias, residual, y);
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
#undef KWG_LAST
#undef KWG_NFULL
#undef KWG_NREM
#undef KWG_NARROW
#undef KWG_LDV
#undef KWG_CH
#undef KWG_LR
#undef KWG_Q
#undef KWG_SEG
