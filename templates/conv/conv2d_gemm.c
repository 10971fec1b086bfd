/* conv/conv2d_gemm.c — Conv2d (NCHW, float32) as implicit GEMM with a fused epilogue.
 *
 * With CG = CIN/GROUPS, MG = COUT/GROUPS, K = CG*KH*KW, P = OH*OW, for image n and group g:
 *   y[n][g*MG+m][p] = act(sum_k A_g[m][k] * col_{n,g}[k][p] + bias[g*MG+m]
 *                         + residual[n][g*MG+m][p])
 * k = (ci*KH + kh)*KW + kw (PyTorch weight order); col is the zero-padded, strided, dilated
 * im2col of x[n][g*CG .. g*CG+CG-1]. bias/residual are read only if KILN_HAS_BIAS /
 * KILN_HAS_RESIDUAL (pass NULL otherwise); residual may be y itself (each output reads its
 * residual, or gate, just before it is written there: PlanMemory writes over a dying one), but
 * must not overlap it otherwise, nor may y overlap x. With KILN_HAS_GATE
 * (no residual) the residual argument is a gate instead: y = act(... + bias) * gate. With
 * KILN_RESIDUAL_SCALE (and a residual and bias) the residual is scaled per output channel by
 * bias[COUT + g*MG+m]: bias holds 2*COUT floats (VAN's layer scale folded, FoldLayerScale).
 *
 * wpacked (made by the Swift side): for g, for mb in 0..<ceil(MG/MR), for k in 0..<K,
 * for r in 0..<MR: W[g*MG + mb*MR + r][k], or 0 when mb*MR + r >= MG.
 *
 * Params: KILN_FN, KILN_N, KILN_CIN, KILN_H, KILN_W, KILN_COUT, KILN_OH, KILN_OW, KILN_KH,
 * KILN_KW, KILN_SH, KILN_SW, KILN_PH, KILN_PW, KILN_DH, KILN_DW, KILN_GROUPS,
 * KILN_MR (register-tile rows), KILN_NR (register-tile columns, multiple of KILN_VL),
 * KILN_NT (pixels per task: a multiple of KILN_NR, or with a depthwise prologue of KILN_OW, whole
 * rows: see below), KILN_MCHUNKS (tasks per group's output
 * channels), KILN_HAS_BIAS, KILN_HAS_RESIDUAL, KILN_RESIDUAL_SCALE, KILN_HAS_GATE, KILN_ACT (0 none, 1 ReLU, ...:
 * see kiln_common.h).
 *
 * Algorithm: one parallel task per (n, g, pixel tile, channel chunk), each thread taking one
 * contiguous run of them (kiln_run_start): the same part of every layer, with one chunk the same
 * rows of the image, so that a layer reads mostly what the same core wrote the layer before.
 * The task packs its im2col panel B[K][NT] into this thread's scratch slice (scratch +
 * thread * KILN_SCRATCH_PER_THREAD; rows NT+NR floats apart so that they do not alias in
 * the cache), by memcpy for 1x1 stride-1 convs (reading x in place instead measured 3-10%
 * slower: the packed panel is contiguous; but see channels along the lanes below), else from
 * a zero-padded copy of the rows the tile
 * reads, one vector move (or, at stride 2, two loads and a shuffle) per tap and vector of an
 * output row. With several chunks each packs its own panel: chunks that shared one panel,
 * packed once by all threads split over input channels, ran up to 1.4x as long alone (a
 * 14x14 320-channel 1x1) and VAN-b0 1.10x, VAN-b2 1.03x as long (each thread then reads half
 * its panel from lines the other core has written, which no prefetch covers).
 * Then, for each NR column block
 * (whose K x NR slice of B stays in cache) and each MR row block of the chunk, an MR x NR
 * register tile (MR*NR/VL vector accumulators) runs over all of K and applies bias,
 * residual and activation on the way out; a last column block of at most VL pixels uses
 * one vector per row. Blocking K for L1 measured slower on Zen 3 for every ResNet-50 shape.
 * Software prefetch covers what the hardware's does not: the output (and residual) lines of
 * the tile KCG_PFD row blocks on, whose stores otherwise miss (the arena's bytes are mostly in
 * no cache), the input rows KCG_PFC channels ahead of the pack and, with channels along the
 * lanes, the next row block's weights over the current block's column blocks.
 *
 * Channels along the lanes (KILN_CL 1), for maps whose pixels fill vectors badly (a 7x7 map's 49
 * pixels take 4 vectors of 16, 77% of the lanes): the register tile is MR output channels (a
 * multiple of VL, dividing the group's) by NR pixels (any count, e.g. 7), each panel value
 * broadcast against a vector of K-major packed weights, which are laid out as above. Row blocks
 * run outer, so a block's weights stay in L1 across the tile's column blocks; the epilogue adds
 * the bias as a vector, turns each VL x VL block of the tile in registers (kiln_vtranspose) and
 * then reads the residual or gate and writes y a channel row's run of pixels at a time (a
 * staging tile copied out float by float had cost ResNet-50 2.5% of its time). A 1x1 stride-1
 * conv's tiles read x in place (KCG_INPLACE): they broadcast one float at a time, so a packed panel buys no contiguous vector loads, and each
 * thread had copied all of x (ResNet-50's 1024-channel 14x14 1x1 0.92x, VAN-b2's fc2 0.94x
 * the time alone, with cold data).
 *
 * Depthwise prologue (KILN_PRO 1; 1x1 stride-1 ungrouped convs only, made by the
 * fuse-depthwise-prologue pass): x is the input of a depthwise conv (stride 1, output the
 * size of its input; params KILN_PRO_KH, _KW, _PH, _PW, _DH, _DW, _HAS_BIAS, _ACT) and the
 * kernel takes two more arguments, its weight [CIN][KH][KW] and bias [CIN] (NULL without).
 * The pack computes that conv's output act(dw(x) + bias) for the panel's pixels from a
 * zero-padded copy of the rows they read, so the depthwise output (VAN's 4x-wide MLP
 * hidden layer) never goes through memory. Either tile orientation reads that panel. With
 * pixel lanes, one chunk and KILN_NT whole rows (KCG_ROWSPLIT), the threads split the rows
 * instead of the tasks, each cutting its run into tiles of NT/OW rows, so that none computes
 * prologue rows (bands) of another's tiles.
 *
 * Scratch: K*(NT+NR) floats per thread <= KILN_SCRATCH_PER_THREAD (a compile-time check);
 * shared panels (all N*GROUPS*tiles of them, in the first slice) must fit in it too.
 * Schedule (measured on Zen 3, AVX2, VL 8): MR 6, NR 16; NT = largest multiple of NR with
 * K*NT <= 64Ki floats, clamped to [64, 256], or one NR more if that covers P, and to P
 * rounded up to NR; MCHUNKS = threads
 * when N*GROUPS*tiles < 4*threads (few or ragged tiles), else 1. Figures and rationale:
 * tests/bench_conv.c.
 */
#ifndef KILN_COMMON_H
#include "../kiln_common.h"
#endif

#ifndef KILN_FN
#define KILN_FN kiln_conv2d_gemm
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
#define KILN_GROUPS 1
#endif
#ifndef KILN_MR
#define KILN_MR 6
#endif
#ifndef KILN_NR
#define KILN_NR (2 * KILN_VL)
#endif
#ifndef KILN_NT
#define KILN_NT (8 * KILN_NR)
#endif
#ifndef KILN_MCHUNKS
#define KILN_MCHUNKS 1
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
#ifndef KILN_HAS_GATE
#define KILN_HAS_GATE 0
#endif
#ifndef KILN_CL
#define KILN_CL 0
#endif
#ifndef KILN_RESIDUAL_SCALE
#define KILN_RESIDUAL_SCALE 0
#endif
_Static_assert(!KILN_RESIDUAL_SCALE || (KILN_HAS_RESIDUAL && KILN_HAS_BIAS), "conv2d_gemm: the residual's scale follows the bias");
_Static_assert(!(KILN_HAS_GATE && KILN_HAS_RESIDUAL), "conv2d_gemm: a gate and a residual share one argument");
#ifndef KILN_PRO
#define KILN_PRO 0
#endif
#if KILN_PRO
#ifndef KILN_PRO_HAS_BIAS
#define KILN_PRO_HAS_BIAS 1
#endif
#ifndef KILN_PRO_ACT
#define KILN_PRO_ACT 0
#endif
_Static_assert(KILN_KH == 1 && KILN_KW == 1 && KILN_SH == 1 && KILN_SW == 1 && KILN_PH == 0 &&
                   KILN_PW == 0 && KILN_GROUPS == 1,
               "conv2d_gemm: a depthwise prologue needs a 1x1 stride-1 ungrouped conv");
_Static_assert(2 * KILN_PRO_PH == (KILN_PRO_KH - 1) * KILN_PRO_DH &&
                   2 * KILN_PRO_PW == (KILN_PRO_KW - 1) * KILN_PRO_DW,
               "conv2d_gemm: the depthwise prologue must keep the image size");
#define KILN_PRO_ARGS , const float* KILN_RESTRICT pro_w, const float* KILN_RESTRICT pro_b
#define KILN_PRO_PASS , pro_w, pro_b
#else
#define KILN_PRO_ARGS
#define KILN_PRO_PASS
#endif

/* Derived sizes (helpers, #undef'd at the end). */
#define KCG_CG (KILN_CIN / KILN_GROUPS)
#define KCG_MG (KILN_COUT / KILN_GROUPS)
#define KCG_K (KCG_CG * KILN_KH * KILN_KW)
#define KCG_P (KILN_OH * KILN_OW)
#define KCG_MB ((KCG_MG + KILN_MR - 1) / KILN_MR)            /* row blocks per group */
#define KCG_MBC ((KCG_MB + KILN_MCHUNKS - 1) / KILN_MCHUNKS) /* row blocks per task */
#define KCG_NTILES ((KCG_P + KILN_NT - 1) / KILN_NT)
/* Panel rows are NT plus a register tile (and at least a vector: the packs store whole vectors) apart. */
#define KCG_LDB (KILN_NT + (KILN_NR > KILN_VL ? KILN_NR : KILN_VL))
#define KCG_NV (KILN_CL ? KILN_MR / KILN_VL : KILN_NR / KILN_VL) /* vectors of a tile row (CL: column) */
/* A depthwise prologue's tiles of whole rows (KILN_NT a multiple of the width, one chunk, one
 * group): each thread takes a run of rows, cut into tiles of KCG_TR rows (see KILN_FN). */
#define KCG_ROWSPLIT (KILN_PRO && !KILN_CL && KILN_MCHUNKS == 1 && KILN_GROUPS == 1 && KILN_NT % KILN_OW == 0)
#define KCG_TR (KILN_NT / KILN_OW)
/* A depthwise prologue on one tile (the whole map, one image) in channel chunks: the threads share
 * one panel (see KILN_FN). */
#define KCG_PROSHARED (KILN_PRO && KILN_MCHUNKS > 1 && KILN_N * KILN_GROUPS * KCG_NTILES == 1)
/* Depthwise prologue bands (as conv2d_depthwise.c's): KCG_PRO_RB rows by KCG_PRO_NV vectors of
 * columns, KCG_PRO_NB column blocks a row. */
#define KCG_PRO_NVEC ((KILN_W + KILN_VL - 1) / KILN_VL)
#if KILN_VL == 16
#define KCG_PRO_NV (KCG_PRO_NVEC < 4 ? KCG_PRO_NVEC : 4)
#else
#define KCG_PRO_NV (KCG_PRO_NVEC < 2 ? KCG_PRO_NVEC : 2)
#endif
/* Tiles of whole map rows (KILN_NT a multiple of W) take bands that divide their rows, where
 * 2 vectors of 16 make a row: 7-row tiles of a 28-wide map run one band of 7, not bands of 4 and
 * 4 (ScheduleKernels.rowTileCost counts them by the same rule). */
#if KILN_PRO
#define KCG_PRO_TR (KCG_ROWSPLIT && KILN_PRO_DH == 1 ? KCG_TR : 0)
#else
#define KCG_PRO_TR 0
#endif
#define KCG_PRO_RB                                                                                              \
    (KCG_PRO_NV == 1                    ? 8                                                                     \
     : KCG_PRO_NV != 2 || KILN_VL != 16 || !KCG_PRO_TR ? 4 /* 16 registers: bands of 4 */                     \
     : KCG_PRO_TR % 8 == 0            ? 8                                                                     \
     : KCG_PRO_TR % 7 == 0            ? 7                                                                     \
     : KCG_PRO_TR % 6 == 0            ? 6                                                                     \
     : KCG_PRO_TR % 5 == 0            ? 5                                                                     \
                                      : 4)
#define KCG_PRO_NB ((KILN_W + KCG_PRO_NV * KILN_VL - 1) / (KCG_PRO_NV * KILN_VL))
/* A padded row: the image from column KCG_PRO_X0 (aligned, so that the copies and the centre
 * taps' loads are), the bands' columns and the right padding, in whole vectors. */
#define KCG_PRO_X0 ((KILN_PRO_PW + KILN_VL - 1) / KILN_VL * KILN_VL)
#define KCG_PRO_PWID ((KCG_PRO_X0 + KCG_PRO_NB * KCG_PRO_NV * KILN_VL + KILN_PRO_PW + KILN_VL - 1) / KILN_VL * KILN_VL)
_Static_assert(KCG_PRO_RB <= KILN_DW_RB_MAX && KCG_PRO_NV <= KILN_DW_NV_MAX, "conv2d_gemm: prologue band too big");
#define KCG_NCB ((KILN_NT + KILN_NR - 1) / KILN_NR) /* column blocks per task */
#define KCG_REM (KCG_P % KILN_NR)                     /* pixels of the last column block, if short */
#define KCG_NARROW (!KILN_CL && KILN_MR == 8 && KCG_REM > 0 && KCG_REM <= 8) /* see _narrow_tile */
#define KCG_PFD 2    /* output tiles prefetched ahead of the one being computed */
#define KCG_PFC 4    /* input channels prefetched ahead by the packs */
/* Channels along the lanes on a plain 1x1 stride-1 conv: the tiles broadcast single floats
 * of x's rows in place, no panel (see the file comment). */
#define KCG_INPLACE (KILN_CL && !KILN_PRO && KILN_KH == 1 && KILN_KW == 1 && KILN_SH == 1 && KILN_SW == 1 && \
                     KILN_PH == 0 && KILN_PW == 0)
#define KCG_LDBT (KCG_INPLACE ? KCG_P : KCG_LDB) /* row stride of what the tiles read as B */

_Static_assert(KILN_CIN % KILN_GROUPS == 0 && KILN_COUT % KILN_GROUPS == 0,
               "conv2d_gemm: GROUPS must divide CIN and COUT");
#if KILN_CL
_Static_assert(KILN_MR % KILN_VL == 0 && KCG_MG % KILN_MR == 0 && KILN_NR >= 1 && KILN_MCHUNKS >= 1,
               "conv2d_gemm: channels along the lanes need MR a multiple of VL dividing COUT/GROUPS");
#else
_Static_assert(KILN_MR >= 1 && KILN_NR >= KILN_VL && KILN_MCHUNKS >= 1,
               "conv2d_gemm: needs MR >= 1, NR >= VL, MCHUNKS >= 1");
_Static_assert(KILN_NR % KILN_VL == 0, "conv2d_gemm: KILN_NR must be a multiple of KILN_VL");
#endif
_Static_assert(!KILN_CL || KILN_NT % KILN_NR == 0, "conv2d_gemm: a channel-lane KILN_NT must be a multiple of KILN_NR");
_Static_assert(KCG_INPLACE || (long long)KCG_K * KCG_LDB <= (long long)KILN_SCRATCH_PER_THREAD,
               "conv2d_gemm: K*(NT+NR) exceeds KILN_SCRATCH_PER_THREAD");

#if !KCG_INPLACE
/* Prefetches the n floats at p for reading (for the packs). */
static inline void KILN_CAT(KILN_FN, _prefetch_run)(const float* p, int n) {
    for (int i = 0; i < n; i += 16) KILN_PREFETCH_R(p + i);
    KILN_PREFETCH_R(p + n - 1);
}
#endif

#if KILN_PRO || !(KILN_KH == 1 && KILN_KW == 1 && KILN_SH == 1 && KILN_SW == 1 && KILN_PH == 0 && KILN_PW == 0)
/* Image rows ih0 + r of a plane, for r = 0, step, ... < nrows, to pad + r*pwid where they lie
 * inside the image; the rows and columns around them keep the zeros the caller put there.
 * The same rows of `ahead` (a later plane, or NULL) are prefetched, so that its misses overlap
 * this plane's copies. (Not defined for the plain 1x1 pack, which copies x as it is.) */
static inline void KILN_CAT(KILN_FN, _pad_rows)(const float* KILN_RESTRICT plane, const float* ahead, int ih0, int nrows,
                                                int step, float* KILN_RESTRICT pad, int pwid) {
    for (int r = 0; r < nrows; r += step)
        if (ih0 + r >= 0 && ih0 + r < KILN_H) {
            if (ahead) KILN_CAT(KILN_FN, _prefetch_run)(ahead + (ih0 + r) * KILN_W, KILN_W);
            memcpy(pad + r * pwid, plane + (ih0 + r) * KILN_W, KILN_W * sizeof(float));
        }
}
#endif

#if KILN_PRO
/* One band of the depthwise prologue (see _pack): output rows r0 + r*DH (r < KCG_PRO_RB) of the
 * tile's, at columns c0 .. c0 + NV*VL - 1, from pad (PWID floats a row), stored to the panel row
 * where they are the tile's pixels: pixel (row i, column c) of the tile's rows goes to
 * row[at0 + i*W + c], at0 = oh0*W - p0; pad row 0 holds image row ih0 = oh0 - PH. The taps are
 * kiln_dw_band's, as in conv2d_depthwise.c. */
static inline __attribute__((always_inline)) void KILN_CAT(KILN_FN, _pro_band)(
    const float* KILN_RESTRICT pad, const float* KILN_RESTRICT wk, kiln_vf bias, float* KILN_RESTRICT row,
    int r0, int c0, int at0, int ncols, int ih0) {
    enum { PWID = KCG_PRO_PWID };
    kiln_vf acc[KILN_DW_RB_MAX][KILN_DW_NV_MAX];
    KILN_UNROLL
    for (int r = 0; r < KCG_PRO_RB; r++) {
        KILN_UNROLL
        for (int v = 0; v < KCG_PRO_NV; v++) acc[r][v] = bias;
    }
    kiln_dw_band(acc, pad + (ptrdiff_t)r0 * PWID + c0, PWID, wk, KILN_PRO_KH, KILN_PRO_KW, KILN_PRO_DH, KILN_PRO_DW,
                 KCG_PRO_RB, KCG_PRO_NV, ih0 + r0, KILN_H, c0 - KILN_PRO_PW, KILN_W, KILN_MIN(KCG_PRO_NV * KILN_VL, KILN_W - c0));
    KILN_UNROLL
    for (int r = 0; r < KCG_PRO_RB; r++) {
        const int at = at0 + (r0 + r * KILN_PRO_DH) * KILN_W + c0; /* panel column of the band row's first */
        KILN_UNROLL
        for (int v = 0; v < KCG_PRO_NV; v++) {
            /* Lanes [lo, hi) are pixels of the tile in this row. */
            const int lo = KILN_MAX(0, -(at + v * KILN_VL)),
                      hi = KILN_MIN(KILN_MIN(KILN_VL, KILN_W - c0 - v * KILN_VL), ncols - (at + v * KILN_VL));
            if (lo == 0 && hi == KILN_VL)
                kiln_vstore(row + at + v * KILN_VL, KILN_ACT_V(KILN_PRO_ACT, acc[r][v]));
            else if (lo < hi)
                kiln_vstore_lanes(row + at + v * KILN_VL, KILN_ACT_V(KILN_PRO_ACT, acc[r][v]), lo, hi);
        }
    }
}
#endif

#if !KCG_INPLACE
/* B[k][c] = col[k][p0 + c] for c < ncols, 0 up to the next multiple of NR, for the rows k of
 * the group's input channels k0 .. k1-1. xg = x[n][g*CG]. */
static void KILN_CAT(KILN_FN, _pack)(const float* KILN_RESTRICT xg, int p0, int ncols,
                                     float* KILN_RESTRICT b, int k0, int k1 KILN_PRO_ARGS) {
    const int nfill = (ncols + KILN_NR - 1) / KILN_NR * KILN_NR;
#if KILN_PRO
    /* Row k is act(dw_k(x_k) + bias_k) at pixels p0 .. p0+ncols-1, on output rows oh0..oh1
     * (the first and last may be partial). Their input rows go to pad (image row oh0-PH+i at
     * pad row i, column iw at PW+iw; rows and columns outside the image stay zero for every k),
     * then bands of KCG_PRO_RB output rows by KCG_PRO_NV vectors of columns are computed in
     * registers (_pro_band, kiln_dw_band: a load feeds up to KH FMAs). Strips of one vector, a
     * tap load each, had taken the pack 1.35x as long (VAN-b0's stage-1 fc2, without the GELU). */
    enum { PWID = KCG_PRO_PWID,
           OROWS = KILN_NT / KILN_W + 2, /* output rows of a tile, at most */
           PROWS = OROWS + (KILN_PRO_KH + KCG_PRO_RB - 1) * KILN_PRO_DH }; /* with the bands' dropped rows */
    float pad[PROWS * PWID] __attribute__((aligned(64)));
    const int oh0 = p0 / KILN_W, oh1 = (p0 + ncols - 1) / KILN_W, orows = oh1 - oh0 + 1;
    memset(pad, 0, sizeof pad);
    for (int k = k0; k < k1; k++) {
        const float* plane = xg + (ptrdiff_t)k * KCG_P;
        KILN_CAT(KILN_FN, _pad_rows)(plane, k + KCG_PFC < k1 ? plane + KCG_PFC * KCG_P : NULL, oh0 - KILN_PRO_PH,
                                     orows + (KILN_PRO_KH - 1) * KILN_PRO_DH, 1, pad + KCG_PRO_X0, PWID);
        const float* wk = pro_w + k * KILN_PRO_KH * KILN_PRO_KW;
        const kiln_vf bias = kiln_vbroadcast(KILN_PRO_HAS_BIAS ? pro_b[k] : 0.0f);
        float* row = b + (ptrdiff_t)k * KCG_LDB;
        for (int blk = 0; blk < orows; blk += KCG_PRO_RB * KILN_PRO_DH) /* DH interleaved bands a block */
            for (int d = 0; d < KILN_PRO_DH && blk + d < orows; d++)
                for (int c0 = 0; c0 < KILN_W; c0 += KCG_PRO_NV * KILN_VL)
                    KILN_CAT(KILN_FN, _pro_band)(pad + KCG_PRO_X0 - KILN_PRO_PW, wk, bias, row, blk + d, c0, oh0 * KILN_W - p0, ncols,
                                                             oh0 - KILN_PRO_PH);
        for (int c = ncols; c < nfill; c++) row[c] = 0.0f;
    }
#elif KILN_KH == 1 && KILN_KW == 1 && KILN_SH == 1 && KILN_SW == 1 && KILN_PH == 0 && KILN_PW == 0
    /* 1x1 stride 1: row k is a contiguous slice of channel k. */
    for (int k = k0; k < k1; k++) {
        float* row = b + (ptrdiff_t)k * KCG_LDB;
        if (k + KCG_PFC < k1) /* a later row, so that its misses overlap these copies */
            KILN_CAT(KILN_FN, _prefetch_run)(xg + (ptrdiff_t)(k + KCG_PFC) * KCG_P + p0, ncols);
        memcpy(row, xg + (ptrdiff_t)k * KCG_P + p0, (size_t)ncols * sizeof(float));
        for (int c = ncols; c < nfill; c++) row[c] = 0.0f;
    }
#else
    /* Every other conv: copy the input rows the tile reads into a zero-padded buffer, one
     * channel at a time, so that taps in the padding read zeros instead of testing bounds;
     * then each tap's run along an output row is a vector move (stride 1) or two loads and
     * an even-lane shuffle (stride 2). A run's last vector may spill past the run: the next
     * run, stored later, rewrites those columns, and past the tile they are zeroed below
     * (within the panel row's NT+NR floats). Measured 3-5x faster than gathering through a
     * per-tap offset table or a strided scalar copy (ResNet-50's stride-2 layers). */
    enum { PWID0 = (KILN_OW + KILN_VL) * KILN_SW + (KILN_KW - 1) * KILN_DW,
           PWID = PWID0 > KILN_W + 2 * KILN_PW ? PWID0 : KILN_W + 2 * KILN_PW,
           PROWS = ((KILN_NT - 1) / KILN_OW + 1) * KILN_SH + (KILN_KH - 1) * KILN_DH + 1 };
    float pad[PROWS * PWID];
    const int oh0 = p0 / KILN_OW, oh1 = (p0 + ncols - 1) / KILN_OW;
    const int nrows = KILN_MIN(PROWS, (oh1 - oh0) * KILN_SH + (KILN_KH - 1) * KILN_DH + 1); /* min: for gcc's bounds check */
    memset(pad, 0, sizeof pad);
    for (int ci = k0; ci < k1; ci++) {
        const float* plane = xg + (ptrdiff_t)ci * KILN_H * KILN_W;
        /* A 1xN strided kernel reads only every SH-th row. */
        KILN_CAT(KILN_FN, _pad_rows)(plane, ci + KCG_PFC < k1 ? plane + KCG_PFC * KILN_H * KILN_W : NULL,
                                     oh0 * KILN_SH - KILN_PH, nrows, KILN_KH > 1 ? 1 : KILN_SH, pad + KILN_PW, PWID);
        for (int khw = 0; khw < KILN_KH * KILN_KW; khw++) {
            const float* tap = pad + khw / KILN_KW * KILN_DH * PWID + khw % KILN_KW * KILN_DW;
            float* row = b + (ptrdiff_t)(ci * KILN_KH * KILN_KW + khw) * KCG_LDB;
            for (int c = 0, oh = oh0, ow = p0 % KILN_OW; c < ncols; ow = 0, oh++) {
                const int len = KILN_MIN(KILN_OW - ow, ncols - c);
                const float* src = tap + (oh - oh0) * KILN_SH * PWID + ow * KILN_SW;
                for (int i = 0; i < len; i += KILN_VL) {
#if KILN_SW == 1
                    kiln_vstore(row + c + i, kiln_vload(src + i));
#elif KILN_SW == 2
                    kiln_vstore(row + c + i, kiln_veven(kiln_vload(src + 2 * i), kiln_vload(src + 2 * i + KILN_VL)));
#else
                    for (int l = 0; l < KILN_VL; l++) row[c + i + l] = src[(i + l) * KILN_SW];
#endif
                }
                c += len;
            }
            for (int c = ncols; c < nfill; c++) row[c] = 0.0f;
        }
    }
#endif
}
#endif

#if !KILN_CL
/* The epilogue of a tile cut by the MG or P edge, from its sums staged in t: stores the mv x pv
 * valid outputs one by one. */
static void KILN_CAT(KILN_FN, _store_staged)(const float t[KILN_MR][KILN_NR], const float* KILN_RESTRICT bias,
                                             const float* res, float* y, int mv, int pv) {
    for (int r = 0; r < mv; r++)
        for (int c = 0; c < pv; c++) {
            const ptrdiff_t o = (ptrdiff_t)r * KCG_P + c;
            float s = t[r][c];
#if KILN_HAS_BIAS
            s += bias[r];
#endif
#if KILN_RESIDUAL_SCALE
            s += bias[KILN_COUT + r] * res[o];
#elif KILN_HAS_RESIDUAL
            s += res[o];
#endif
#if KILN_HAS_GATE
            y[o] = KILN_ACT_S(KILN_ACT, s) * res[o];
#else
            y[o] = KILN_ACT_S(KILN_ACT, s);
#endif
        }
    (void)bias;
    (void)res;
}

/* One MR x (nv*VL) tile of y (row stride P): act(sum_k a[k][r] * b[k][c] + bias[r] +
 * res[r][c]), storing only the mv valid rows and pv valid columns. Always inlined, so nv
 * (KCG_NV, or 1 for a last column block of at most VL pixels) is a constant. */
static inline __attribute__((always_inline)) void KILN_CAT(KILN_FN, _tile)(
    const float* KILN_RESTRICT a, const float* KILN_RESTRICT b, const float* KILN_RESTRICT bias,
    const float* res, float* y, int nv, int mv, int pv) {
    kiln_vf acc[KILN_MR][KCG_NV];
    KILN_UNROLL
    for (int r = 0; r < KILN_MR; r++) {
        KILN_UNROLL
        for (int v = 0; v < nv; v++) acc[r][v] = kiln_vbroadcast(0.0f);
    }
    for (int k = 0; k < KCG_K; k++) {
        kiln_vf bv[KCG_NV];
        KILN_UNROLL
        for (int v = 0; v < nv; v++) bv[v] = kiln_vload(b + (ptrdiff_t)k * KCG_LDB + v * KILN_VL);
        KILN_UNROLL
        for (int r = 0; r < KILN_MR; r++) {
            const kiln_vf av = kiln_vbroadcast(a[k * KILN_MR + r]);
            KILN_UNROLL
            for (int v = 0; v < nv; v++) acc[r][v] = kiln_vfma(av, bv[v], acc[r][v]);
        }
    }
    if (mv == KILN_MR && pv == nv * KILN_VL) {
        KILN_UNROLL
        for (int r = 0; r < KILN_MR; r++) {
            KILN_UNROLL
            for (int v = 0; v < nv; v++) {
                const ptrdiff_t o = (ptrdiff_t)r * KCG_P + v * KILN_VL;
                kiln_vf s = acc[r][v];
#if KILN_HAS_BIAS
                s += kiln_vbroadcast(bias[r]);
#endif
#if KILN_RESIDUAL_SCALE
                s = kiln_vfma(kiln_vbroadcast(bias[KILN_COUT + r]), kiln_vload(res + o), s);
#elif KILN_HAS_RESIDUAL
                s += kiln_vload(res + o);
#endif
#if KILN_HAS_GATE
                kiln_vstore(y + o, KILN_ACT_V(KILN_ACT, s) * kiln_vload(res + o));
#else
                kiln_vstore(y + o, KILN_ACT_V(KILN_ACT, s));
#endif
            }
        }
    } else { /* tile cut by the MG or P edge: stage, then store the valid part */
        float t[KILN_MR][KILN_NR] = {{0.0f}}; /* zeroed: gcc -O3 cannot see that only stored lanes are read */
        for (int r = 0; r < KILN_MR; r++)
            for (int v = 0; v < nv; v++) kiln_vstore(&t[r][v * KILN_VL], acc[r][v]);
        KILN_CAT(KILN_FN, _store_staged)(t, bias, res, y, mv, pv);
    }
    (void)bias;
    (void)res;
}

#if KCG_NARROW
/* The last column block when the map leaves KCG_REM <= 8 pixels past the register tiles (a
 * 14x14 map's 196 = 6*32 + 4): the MR = 8 rows along the lanes of 8-float vectors, one
 * accumulator per pixel, so a k costs KCG_REM half-width FMAs instead of MR full-width ones
 * with KCG_REM of their VL lanes used (6% of a 14x14 GEMM's FMAs at VL 16). */
static inline __attribute__((always_inline)) void KILN_CAT(KILN_FN, _narrow_tile)(
    const float* KILN_RESTRICT a, const float* KILN_RESTRICT b, const float* KILN_RESTRICT bias,
    const float* res, float* y, int mv) {
    kiln_vf8 acc[KCG_REM];
    KILN_UNROLL
    for (int c = 0; c < KCG_REM; c++) acc[c] = kiln_vbroadcast8(0.0f);
    for (int k = 0; k < KCG_K; k++) {
        const kiln_vf8 w = kiln_vload8(a + k * KILN_MR);
        KILN_UNROLL
        for (int c = 0; c < KCG_REM; c++) acc[c] = kiln_vfma8(w, kiln_vbroadcast8(b[(ptrdiff_t)k * KCG_LDB + c]), acc[c]);
    }
    float t[KILN_MR][KILN_NR];
    for (int r = 0; r < KILN_MR; r++)
        for (int c = 0; c < KCG_REM; c++) t[r][c] = acc[c][r];
    KILN_CAT(KILN_FN, _store_staged)(t, bias, res, y, mv, KCG_REM);
}
#endif
#endif

#if KILN_CL
/* One MR x NR tile of y with the channels along the lanes: acc[v][c] holds output channels
 * v*VL .. v*VL+VL-1 of pixel c. Stores the pv valid pixels (every row is valid: MR divides MG).
 * Prefetches the KCG_K*MR/KCG_NCB floats at next (if not NULL) on the way, one prefetch per k. */
static inline __attribute__((always_inline)) void KILN_CAT(KILN_FN, _cl_tile)(
    const float* KILN_RESTRICT a, const float* KILN_RESTRICT b, const float* KILN_RESTRICT bias,
    const float* res, float* y, int pv, const float* next) {
    kiln_vf acc[KCG_NV][KILN_NR];
    KILN_UNROLL
    for (int v = 0; v < KCG_NV; v++) {
        KILN_UNROLL
        for (int c = 0; c < KILN_NR; c++) acc[v][c] = kiln_vbroadcast(0.0f);
    }
    for (int k = 0; k < KCG_K; k++) {
        kiln_vf av[KCG_NV];
        if (next) KILN_PREFETCH_R(next + k * KILN_MR / KCG_NCB);
        KILN_UNROLL
        for (int v = 0; v < KCG_NV; v++) av[v] = kiln_vload(a + k * KILN_MR + v * KILN_VL);
        KILN_UNROLL
        for (int c = 0; c < KILN_NR; c++) {
            const kiln_vf bv = kiln_vbroadcast(b[(ptrdiff_t)k * KCG_LDBT + c]);
            KILN_UNROLL
            for (int v = 0; v < KCG_NV; v++) acc[v][c] = kiln_vfma(av[v], bv, acc[v][c]);
        }
    }
    /* Epilogue: each block of VL channels x VL pixels turned in registers, so that y's channel
     * rows (and the residual's or gate's) are read and written as runs of pixels. */
    KILN_UNROLL
    for (int v = 0; v < KCG_NV; v++) {
#if KILN_HAS_BIAS
        const kiln_vf bv = kiln_vload(bias + v * KILN_VL);
#endif
        KILN_UNROLL
        for (int c0 = 0; c0 < KILN_NR; c0 += KILN_VL) {
            if (c0 >= pv) break;
            kiln_vf r[KILN_VL]; /* r[i]: pixel c0 + i's channels, then, turned, channel v*VL + i's pixels */
            KILN_UNROLL
            for (int i = 0; i < KILN_VL; i++) r[i] = c0 + i < KILN_NR ? acc[v][c0 + i] : kiln_vbroadcast(0.0f);
#if KILN_HAS_BIAS
            KILN_UNROLL
            for (int i = 0; i < KILN_VL; i++) r[i] += bv;
#endif
            kiln_vtranspose(r);
            const int n = KILN_MIN(KILN_VL, pv - c0);
            for (int i = 0; i < KILN_VL; i++) {
                const ptrdiff_t o = (ptrdiff_t)(v * KILN_VL + i) * KCG_P + c0;
                kiln_vf s = r[i];
#if KILN_RESIDUAL_SCALE
                s = kiln_vfma(kiln_vbroadcast(bias[KILN_COUT + v * KILN_VL + i]), kiln_vload_n(res + o, n), s);
#elif KILN_HAS_RESIDUAL
                s += kiln_vload_n(res + o, n);
#endif
#if KILN_HAS_GATE
                kiln_vstore_n(y + o, KILN_ACT_V(KILN_ACT, s) * kiln_vload_n(res + o, n), n);
#else
                kiln_vstore_n(y + o, KILN_ACT_V(KILN_ACT, s), n);
#endif
            }
        }
    }
    (void)bias;
    (void)res;
}
#endif

#if !KILN_CL
/* Fetches, for writing, the output lines of the tile at column j, row block ib (and, with a
 * residual or gate, those lines of it for reading), KCG_PFD tiles before it is stored. y is
 * mostly in no cache (the arena last used those bytes layers ago), and the store misses of
 * a short tile stalled it: K = 64..256 1x1s ran up to 18% faster with cold outputs. */
static inline void KILN_CAT(KILN_FN, _prefetch_tile)(const float* res, const float* y, ptrdiff_t yo, int j, int ib,
                                                     int ncols) {
    if (j >= ncols || ib * KILN_MR >= KCG_MG) return;
    const int m = ib * KILN_MR, mv = KILN_MIN(KILN_MR, KCG_MG - m), last = KILN_MIN(KILN_NR, ncols - j) - 1;
    const ptrdiff_t o = yo + (ptrdiff_t)m * KCG_P + j;
    for (int r = 0; r < mv; r++) {
        KILN_PREFETCH_W(y + o + (ptrdiff_t)r * KCG_P);
        KILN_PREFETCH_W(y + o + (ptrdiff_t)r * KCG_P + last);
#if KILN_HAS_RESIDUAL || KILN_HAS_GATE
        KILN_PREFETCH_R(res + o + (ptrdiff_t)r * KCG_P);
        KILN_PREFETCH_R(res + o + (ptrdiff_t)r * KCG_P + last);
#endif
    }
    (void)res;
}
#endif

/* Image n, group g: pixels p0 .. p0+ncols-1 against the chunk's output channels, from the
 * panel b packed for those pixels. */
static inline void KILN_CAT(KILN_FN, _task)(int n, int g, int chunk, int p0, int ncols, const float* KILN_RESTRICT b,
                                            const float* KILN_RESTRICT wpacked,
                                            const float* KILN_RESTRICT bias,
                                            const float* residual, float* y) {
    const int ib0 = chunk * KCG_MBC, ib1 = KILN_MIN(KCG_MB, ib0 + KCG_MBC);
    const float* wg = wpacked + (ptrdiff_t)g * KCG_MB * KILN_MR * KCG_K;
    const ptrdiff_t yo = ((ptrdiff_t)n * KILN_COUT + g * KCG_MG) * KCG_P + p0;
#if KILN_CL
    /* Row block outer: its K x MR weights stay in L1 across the column blocks. */
    for (int ib = ib0; ib < ib1; ib++) {
        const int m = ib * KILN_MR;
        if (ib + 1 < ib1) /* the next block's output rows (and residual or gate rows): they miss */
            for (int r = m + KILN_MR; r < m + 2 * KILN_MR; r++)
                for (int c = 0; c < ncols; c += 16) {
                    KILN_PREFETCH_W(y + yo + (ptrdiff_t)r * KCG_P + c);
#if KILN_HAS_RESIDUAL || KILN_HAS_GATE
                    KILN_PREFETCH_R(residual + yo + (ptrdiff_t)r * KCG_P + c);
#endif
                }
        /* The next block's weights, a slice per column block: its first column block would
         * otherwise read them from DRAM (each weight is used once a run) at two vectors per
         * 2*NR FMAs, faster than DRAM feeds a core; 7x7 maps' GEMMs ran 0.90-0.96x as long. */
        const float* next = ib + 1 < ib1 ? wg + (ptrdiff_t)(ib + 1) * KCG_K * KILN_MR : NULL;
        for (int j = 0; j < ncols; j += KILN_NR) {
            const ptrdiff_t o = yo + (ptrdiff_t)m * KCG_P + j;
            KILN_CAT(KILN_FN, _cl_tile)(wg + (ptrdiff_t)ib * KCG_K * KILN_MR, b + j,
                                        KILN_HAS_BIAS ? bias + g * KCG_MG + m : bias,
                                        KILN_HAS_RESIDUAL || KILN_HAS_GATE ? residual + o : residual, y + o,
                                        KILN_MIN(KILN_NR, ncols - j),
                                        next ? next + (ptrdiff_t)(j / KILN_NR) * KCG_K * KILN_MR / KCG_NCB : NULL);
        }
    }
#else
    /* Column block outer: its K x NR slice of B stays in cache across the row blocks. */
    for (int j = 0; j < ncols; j += KILN_NR)
        for (int ib = ib0; ib < ib1; ib++) {
            const int m = ib * KILN_MR, mv = KILN_MIN(KILN_MR, KCG_MG - m);
            const int pv = KILN_MIN(KILN_NR, ncols - j);
            const ptrdiff_t o = yo + (ptrdiff_t)m * KCG_P + j;
            if (ib + KCG_PFD < ib1) /* the tile KCG_PFD on, in this column block or the next */
                KILN_CAT(KILN_FN, _prefetch_tile)(residual, y, yo, j, ib + KCG_PFD, ncols);
            else
                KILN_CAT(KILN_FN, _prefetch_tile)(residual, y, yo, j + KILN_NR, ib0 + ib + KCG_PFD - ib1, ncols);
            const float* a = wg + (ptrdiff_t)ib * KCG_K * KILN_MR;
            const float* bi = KILN_HAS_BIAS ? bias + g * KCG_MG + m : bias;
            const float* re = KILN_HAS_RESIDUAL || KILN_HAS_GATE ? residual + o : residual;
#if KCG_NARROW
            if (pv == KCG_REM)
                KILN_CAT(KILN_FN, _narrow_tile)(a, b + j, bi, re, y + o, mv);
            else
#endif
            if (KCG_NV > 1 && pv <= KILN_VL) /* narrow last block: skip the empty vectors */
                KILN_CAT(KILN_FN, _tile)(a, b + j, bi, re, y + o, 1, mv, pv);
            else
                KILN_CAT(KILN_FN, _tile)(a, b + j, bi, re, y + o, KCG_NV, mv, pv);
        }
#endif
}

static void KILN_FN(const float* KILN_RESTRICT x, const float* KILN_RESTRICT wpacked,
                    const float* KILN_RESTRICT bias, const float* residual,
                    float* y, float* KILN_RESTRICT scratch KILN_PRO_ARGS) {
#if KCG_ROWSPLIT
    /* Each thread takes a run of whole output rows (of all images' rows in order) and tiles it
     * by KCG_TR rows: its depthwise prologue then computes only its own rows (and their halo),
     * in bands that divide the tile. */
    KILN_OMP(parallel)
    {
        float* b = scratch + (ptrdiff_t)kiln_thread_id() * KILN_SCRATCH_PER_THREAD;
        const int end = kiln_run_start(KILN_N * KILN_OH, kiln_thread_id() + 1);
        for (int r = kiln_run_start(KILN_N * KILN_OH, kiln_thread_id()), rows; r < end; r += rows) {
            const int n = r / KILN_OH, oh = r % KILN_OH;
            rows = KILN_MIN(KCG_TR, KILN_MIN(end - r, KILN_OH - oh));
            KILN_CAT(KILN_FN, _pack)(x + (ptrdiff_t)n * KCG_CG * KILN_H * KILN_W, oh * KILN_OW, rows * KILN_OW, b, 0, KCG_CG KILN_PRO_PASS);
            KILN_CAT(KILN_FN, _task)(n, 0, 0, oh * KILN_OW, rows * KILN_OW, b, wpacked, bias, residual, y);
        }
    }
#elif KCG_PROSHARED
    /* One tile in channel chunks: the threads split the prologue's channels into one panel
     * (the first scratch slice), then each computes its chunks from all of it. Each chunk had
     * computed the whole prologue itself, half of the kernel's work on VAN-b0's 7² fc2. */
    KILN_OMP(parallel)
    {
        const int th = kiln_thread_id();
        KILN_CAT(KILN_FN, _pack)(x, 0, KCG_P, scratch, kiln_run_start(KCG_CG, th), kiln_run_start(KCG_CG, th + 1) KILN_PRO_PASS);
        KILN_OMP(barrier)
        for (int c = kiln_run_start(KILN_MCHUNKS, th), end = kiln_run_start(KILN_MCHUNKS, th + 1); c < end; c++)
            if (c * KCG_MBC < KCG_MB) KILN_CAT(KILN_FN, _task)(0, 0, c, 0, KCG_P, scratch, wpacked, bias, residual, y);
    }
#else
    enum { NTASKS = KILN_N * KILN_GROUPS * KCG_NTILES * KILN_MCHUNKS };
    KILN_OMP(parallel)
    for (int t = kiln_run_start(NTASKS, kiln_thread_id()), end = kiln_run_start(NTASKS, kiln_thread_id() + 1); t < end; t++) {
        const int chunk = t % KILN_MCHUNKS, tile = t / KILN_MCHUNKS % KCG_NTILES;
        const int g = t / (KILN_MCHUNKS * KCG_NTILES) % KILN_GROUPS, n = t / (KILN_MCHUNKS * KCG_NTILES * KILN_GROUPS);
        if (chunk * KCG_MBC >= KCG_MB) continue; /* a chunk past the last row block */
        const int p0 = tile * KILN_NT, ncols = KILN_MIN(KILN_NT, KCG_P - p0);
        const float* xg = x + ((ptrdiff_t)n * KILN_GROUPS + g) * KCG_CG * KILN_H * KILN_W;
#if KCG_INPLACE
        const float* b = xg + p0;
        (void)scratch;
#else
        float* b = scratch + (ptrdiff_t)kiln_thread_id() * KILN_SCRATCH_PER_THREAD;
        KILN_CAT(KILN_FN, _pack)(xg, p0, ncols, b, 0, KCG_CG KILN_PRO_PASS);
#endif
        KILN_CAT(KILN_FN, _task)(n, g, chunk, p0, ncols, b, wpacked, bias, residual, y);
    }
#endif
}

#undef KCG_CG
#undef KCG_MG
#undef KCG_K
#undef KCG_P
#undef KCG_MB
#undef KCG_MBC
#undef KCG_NTILES
#undef KCG_LDB
#undef KCG_NV
#undef KCG_PRO_NVEC
#undef KCG_PRO_NV
#undef KCG_PRO_RB
#undef KCG_PRO_TR
#undef KCG_PRO_X0
#undef KCG_PRO_PWID
#undef KCG_ROWSPLIT
#undef KCG_PROSHARED
#undef KCG_TR
#undef KCG_PRO_NB
#undef KCG_NCB
#undef KCG_REM
#undef KCG_NARROW
#undef KCG_PFD
#undef KCG_PFC
#undef KCG_INPLACE
#undef KCG_LDBT
#undef KILN_PRO_ARGS
#undef KILN_PRO_PASS
