/* test_kernels.c — instantiates every template several times (define params, #include the
 * template, #undef params: exactly what the generator does) and compares each instance
 * against naive double-precision reference loops on random data.
 * Build: see ../check.sh. Prints "N passed, M failed" last; exits 1 on any failure. */
#include "../kiln_common.h"

#include <stdio.h>
#include <stdlib.h>

#define OUT_DIM(i, k, s, p, d) (((i) + 2 * (p) - (d) * ((k)-1) - 1) / (s) + 1)
#define CONV_OH OUT_DIM(KILN_H, KILN_KH, KILN_SH, KILN_PH, KILN_DH)
#define CONV_OW OUT_DIM(KILN_W, KILN_KW, KILN_SW, KILN_PW, KILN_DW)
#define POOL_OH OUT_DIM(KILN_H, KILN_KH, KILN_SH, KILN_PH, 1)
#define POOL_OW OUT_DIM(KILN_W, KILN_KW, KILN_SW, KILN_PW, 1)

#define STR2(x) #x
#define STR(x) STR2(x)

typedef void (*conv_fn)(const float*, const float*, const float*, const float*, float*, float*);
typedef struct {
    const char* name;
    conv_fn fn;
    int n, cin, h, w, cout, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw, groups;
    int mr; /* 0: depthwise (plain weights) */
    int bias, res, act;
} conv_case;
/* Captures the current instance's parameters (expanded where it is used). */
#define CONV_CASE(mr)                                                                        \
    static const conv_case KILN_CAT(KILN_FN, _case) = {                                      \
        STR(KILN_FN), KILN_FN, KILN_N, KILN_CIN, KILN_H, KILN_W, KILN_COUT, KILN_OH, KILN_OW,    \
        KILN_KH, KILN_KW, KILN_SH, KILN_SW, KILN_PH, KILN_PW, KILN_DH, KILN_DW, KILN_GROUPS, \
        mr, KILN_HAS_BIAS, KILN_HAS_RESIDUAL, KILN_ACT};

/* ---- conv2d_gemm instances ---- */
/* 3x3 pad 1, MG = 7 not a multiple of MR, P = 99 not a multiple of NT, bias + ReLU */
#define KILN_FN conv_3x3_odd
#define KILN_OH CONV_OH
#define KILN_OW CONV_OW
#define KILN_N 2
#define KILN_CIN 5
#define KILN_H 9
#define KILN_W 11
#define KILN_COUT 7
#define KILN_KH 3
#define KILN_KW 3
#define KILN_SH 1
#define KILN_SW 1
#define KILN_PH 1
#define KILN_PW 1
#define KILN_DH 1
#define KILN_DW 1
#define KILN_GROUPS 1
#define KILN_NT (2 * KILN_NR)
#define KILN_HAS_BIAS 1
#define KILN_HAS_RESIDUAL 0
#define KILN_ACT 1
#include "../conv/conv2d_gemm.c"
CONV_CASE(KILN_MR)
#include "undef_params.h"

/* 1x1 stride 1 (the contiguous packing path), bias + residual + ReLU; other params default */
#define KILN_FN conv_1x1_res
#define KILN_OH CONV_OH
#define KILN_OW CONV_OW
#define KILN_N 2
#define KILN_CIN 16
#define KILN_H 7
#define KILN_W 7
#define KILN_COUT 20
#define KILN_KH 1
#define KILN_KW 1
#define KILN_PH 0
#define KILN_PW 0
#define KILN_HAS_BIAS 1
#define KILN_HAS_RESIDUAL 1
#define KILN_ACT 1
#include "../conv/conv2d_gemm.c"
CONV_CASE(KILN_MR)
#include "undef_params.h"

/* grouped 3x3 stride 2, two channel chunks per group */
#define KILN_FN conv_grouped_s2
#define KILN_OH CONV_OH
#define KILN_OW CONV_OW
#define KILN_N 2
#define KILN_CIN 8
#define KILN_H 10
#define KILN_W 10
#define KILN_COUT 12
#define KILN_SH 2
#define KILN_SW 2
#define KILN_GROUPS 4
#define KILN_MR 2
#define KILN_MCHUNKS 2
#define KILN_HAS_BIAS 1
#include "../conv/conv2d_gemm.c"
CONV_CASE(KILN_MR)
#include "undef_params.h"

/* dilated 3x3 (d2, p2), MR 4, NR = one vector, residual + ReLU */
#define KILN_FN conv_dilated
#define KILN_OH CONV_OH
#define KILN_OW CONV_OW
#define KILN_N 1
#define KILN_CIN 6
#define KILN_H 12
#define KILN_W 13
#define KILN_COUT 9
#define KILN_PH 2
#define KILN_PW 2
#define KILN_DH 2
#define KILN_DW 2
#define KILN_MR 4
#define KILN_NR KILN_VL
#define KILN_NT (3 * KILN_VL)
#define KILN_HAS_RESIDUAL 1
#define KILN_ACT 1
#include "../conv/conv2d_gemm.c"
CONV_CASE(KILN_MR)
#include "undef_params.h"

/* 7x7 stride 2 pad 3 stem */
#define KILN_FN conv_stem
#define KILN_OH CONV_OH
#define KILN_OW CONV_OW
#define KILN_N 2
#define KILN_CIN 3
#define KILN_H 23
#define KILN_W 23
#define KILN_COUT 10
#define KILN_KH 7
#define KILN_KW 7
#define KILN_SH 2
#define KILN_SW 2
#define KILN_PH 3
#define KILN_PW 3
#define KILN_HAS_BIAS 1
#define KILN_ACT 1
#include "../conv/conv2d_gemm.c"
CONV_CASE(KILN_MR)
#include "undef_params.h"

/* asymmetric 1x5 kernel, stride (1,2), pad (0,2), dilation (1,2), GELU */
#define KILN_FN conv_1x5
#define KILN_OH CONV_OH
#define KILN_OW CONV_OW
#define KILN_N 1
#define KILN_CIN 4
#define KILN_H 5
#define KILN_W 17
#define KILN_COUT 6
#define KILN_KH 1
#define KILN_KW 5
#define KILN_SH 1
#define KILN_SW 2
#define KILN_PH 0
#define KILN_PW 2
#define KILN_DW 2
#define KILN_ACT 3 /* GELU epilogue */
#include "../conv/conv2d_gemm.c"
CONV_CASE(KILN_MR)
#include "undef_params.h"

/* deeper K (360); three channel chunks of one row block each */
#define KILN_FN conv_deep_k
#define KILN_OH CONV_OH
#define KILN_OW CONV_OW
#define KILN_N 2
#define KILN_CIN 40
#define KILN_H 6
#define KILN_W 6
#define KILN_COUT 13
#define KILN_MCHUNKS 3
#define KILN_HAS_BIAS 1
#define KILN_HAS_RESIDUAL 1
#define KILN_ACT 1
#include "../conv/conv2d_gemm.c"
CONV_CASE(KILN_MR)
#include "undef_params.h"

/* 1x1 with K = 300 and more chunks (4) than row blocks (2) */
#define KILN_FN conv_1x1_deep
#define KILN_OH CONV_OH
#define KILN_OW CONV_OW
#define KILN_N 1
#define KILN_CIN 300
#define KILN_H 5
#define KILN_W 5
#define KILN_COUT 8
#define KILN_KH 1
#define KILN_KW 1
#define KILN_PH 0
#define KILN_PW 0
#define KILN_MCHUNKS 4
#define KILN_HAS_RESIDUAL 1
#include "../conv/conv2d_gemm.c"
CONV_CASE(KILN_MR)
#include "undef_params.h"

/* 1x1 stride 2 (downsample shortcut), tiles and channels exactly full */
#define KILN_FN conv_1x1_s2
#define KILN_OH CONV_OH
#define KILN_OW CONV_OW
#define KILN_N 2
#define KILN_CIN 12
#define KILN_H 15
#define KILN_W 7
#define KILN_COUT 12
#define KILN_KH 1
#define KILN_KW 1
#define KILN_SH 2
#define KILN_SW 2
#define KILN_PH 0
#define KILN_PW 0
#define KILN_NT (2 * KILN_VL)
#define KILN_NR KILN_VL
#define KILN_HAS_BIAS 1
#include "../conv/conv2d_gemm.c"
CONV_CASE(KILN_MR)
#include "undef_params.h"

/* tiny image, padding beyond the kernel's reach; 1x1 with padding; MR 8, NR 3 vectors */
#define KILN_FN conv_tiny_pad
#define KILN_OH CONV_OH
#define KILN_OW CONV_OW
#define KILN_N 2
#define KILN_CIN 3
#define KILN_H 2
#define KILN_W 3
#define KILN_COUT 17
#define KILN_PH 2
#define KILN_PW 3
#define KILN_MR 8
#define KILN_NR (3 * KILN_VL)
#define KILN_NT (3 * KILN_VL)
#define KILN_ACT 1
#include "../conv/conv2d_gemm.c"
CONV_CASE(KILN_MR)
#include "undef_params.h"

#define KILN_FN conv_1x1_pad
#define KILN_OH CONV_OH
#define KILN_OW CONV_OW
#define KILN_N 1
#define KILN_CIN 5
#define KILN_H 4
#define KILN_W 5
#define KILN_COUT 3
#define KILN_KH 1
#define KILN_KW 1
#define KILN_PH 1
#define KILN_PW 1
#define KILN_MR 1
#define KILN_HAS_BIAS 1
#include "../conv/conv2d_gemm.c"
CONV_CASE(KILN_MR)
#include "undef_params.h"

/* wide outputs (OW >= 24: the row-run packing path); tiles end mid-row */
#define KILN_FN conv_wide_3x3
#define KILN_OH CONV_OH
#define KILN_OW CONV_OW
#define KILN_N 2
#define KILN_CIN 3
#define KILN_H 5
#define KILN_W 30
#define KILN_COUT 7
#define KILN_NT (2 * KILN_NR)
#define KILN_HAS_BIAS 1
#define KILN_ACT 1
#include "../conv/conv2d_gemm.c"
CONV_CASE(KILN_MR)
#include "undef_params.h"

#define KILN_FN conv_wide_s2_dil
#define KILN_OH CONV_OH
#define KILN_OW CONV_OW
#define KILN_N 1
#define KILN_CIN 2
#define KILN_H 9
#define KILN_W 53
#define KILN_COUT 5
#define KILN_KH 3
#define KILN_KW 5
#define KILN_SH 2
#define KILN_SW 2
#define KILN_PH 2
#define KILN_PW 4
#define KILN_DW 2
#define KILN_HAS_RESIDUAL 1
#include "../conv/conv2d_gemm.c"
CONV_CASE(KILN_MR)
#include "undef_params.h"

/* padding wider than the kernel's reach: whole rows and row ends read only padding */
#define KILN_FN conv_wide_pad
#define KILN_OH CONV_OH
#define KILN_OW CONV_OW
#define KILN_N 1
#define KILN_CIN 2
#define KILN_H 3
#define KILN_W 26
#define KILN_COUT 4
#define KILN_PH 3
#define KILN_PW 5
#define KILN_NT (3 * KILN_NR)
#define KILN_HAS_BIAS 1
#include "../conv/conv2d_gemm.c"
CONV_CASE(KILN_MR)
#include "undef_params.h"

/* the schedule for few channels per group: MR 3, NR 4 vectors (EPSANet-style branches) */
#define KILN_FN conv_grouped_nr4
#define KILN_OH CONV_OH
#define KILN_OW CONV_OW
#define KILN_N 2
#define KILN_CIN 12
#define KILN_H 5
#define KILN_W 7
#define KILN_COUT 6
#define KILN_GROUPS 2
#define KILN_MR 3
#define KILN_NR (4 * KILN_VL)
#define KILN_NT (4 * KILN_VL)
#define KILN_HAS_BIAS 1
#define KILN_HAS_RESIDUAL 1
#define KILN_ACT 1
#include "../conv/conv2d_gemm.c"
CONV_CASE(KILN_MR)
#include "undef_params.h"

/* ---- conv2d_depthwise instances ---- */
#define KILN_FN dw_3x3
#define KILN_OH CONV_OH
#define KILN_OW CONV_OW
#define KILN_N 2
#define KILN_CIN 6
#define KILN_COUT 6
#define KILN_GROUPS 6
#define KILN_H 10
#define KILN_W 10
#define KILN_KH 3
#define KILN_KW 3
#define KILN_SH 1
#define KILN_SW 1
#define KILN_PH 1
#define KILN_PW 1
#define KILN_DH 1
#define KILN_DW 1
#define KILN_HAS_BIAS 1
#define KILN_HAS_RESIDUAL 0
#define KILN_ACT 1
#include "../conv/conv2d_depthwise.c"
CONV_CASE(0)
#include "undef_params.h"

#define KILN_FN dw_5x5_s2
#define KILN_OH CONV_OH
#define KILN_OW CONV_OW
#define KILN_N 2
#define KILN_CIN 5
#define KILN_COUT 5
#define KILN_GROUPS 5
#define KILN_H 11
#define KILN_W 13
#define KILN_KH 5
#define KILN_KW 5
#define KILN_SH 2
#define KILN_SW 2
#define KILN_PH 2
#define KILN_PW 2
#define KILN_HAS_RESIDUAL 1
#include "../conv/conv2d_depthwise.c"
CONV_CASE(0)
#include "undef_params.h"

#define KILN_FN dw_7x7_d3
#define KILN_OH CONV_OH
#define KILN_OW CONV_OW
#define KILN_N 1
#define KILN_CIN 4
#define KILN_COUT 4
#define KILN_GROUPS 4
#define KILN_H 12
#define KILN_W 14
#define KILN_KH 7
#define KILN_KW 7
#define KILN_PH 9
#define KILN_PW 9
#define KILN_DH 3
#define KILN_DW 3
#define KILN_HAS_BIAS 1
#define KILN_HAS_RESIDUAL 1
#define KILN_ACT 1
#include "../conv/conv2d_depthwise.c"
CONV_CASE(0)
#include "undef_params.h"

#define KILN_FN dw_3x3_s2_asym
#define KILN_OH CONV_OH
#define KILN_OW CONV_OW
#define KILN_N 1
#define KILN_CIN 3
#define KILN_COUT 3
#define KILN_GROUPS 3
#define KILN_H 9
#define KILN_W 6
#define KILN_SH 2
#define KILN_SW 1
#define KILN_PH 0
#define KILN_PW 1
#define KILN_ACT 2 /* sigmoid epilogue */
#include "../conv/conv2d_depthwise.c"
CONV_CASE(0)
#include "undef_params.h"

static const conv_case* const conv_cases[] = {
    &conv_3x3_odd_case, &conv_1x1_res_case,  &conv_grouped_s2_case, &conv_dilated_case,
    &conv_stem_case,    &conv_1x5_case,      &conv_deep_k_case,     &conv_1x1_deep_case,
    &conv_1x1_s2_case,  &conv_tiny_pad_case, &conv_1x1_pad_case,    &conv_wide_3x3_case,
    &conv_wide_s2_dil_case, &conv_wide_pad_case, &conv_grouped_nr4_case, &dw_3x3_case,
    &dw_5x5_s2_case,    &dw_7x7_d3_case,     &dw_3x3_s2_asym_case,
};

/* ---- maxpool2d ---- */
typedef void (*unary_fn)(const float*, float*);
typedef struct { const char* name; unary_fn fn; int n, c, h, w, oh, ow, kh, kw, sh, sw, ph, pw; } pool_case;
#define POOL_CASE                                                                             \
    static const pool_case KILN_CAT(KILN_FN, _case) = {                                       \
        STR(KILN_FN), KILN_FN, KILN_N, KILN_C, KILN_H, KILN_W, KILN_OH, KILN_OW, KILN_KH, KILN_KW, \
        KILN_SH, KILN_SW, KILN_PH, KILN_PW};

#define KILN_FN maxpool_3x3_s2
#define KILN_OH POOL_OH
#define KILN_OW POOL_OW
#define KILN_N 2
#define KILN_C 3
#define KILN_H 11
#define KILN_W 12
#define KILN_KH 3
#define KILN_KW 3
#define KILN_SH 2
#define KILN_SW 2
#define KILN_PH 1
#define KILN_PW 1
#include "../pool/maxpool2d.c"
POOL_CASE
#include "undef_params.h"

#define KILN_FN maxpool_2x2
#define KILN_OH POOL_OH
#define KILN_OW POOL_OW
#define KILN_N 1
#define KILN_C 4
#define KILN_H 8
#define KILN_W 9
#define KILN_KH 2
#define KILN_KW 2
#define KILN_SH 2
#define KILN_SW 2
#define KILN_PH 0
#define KILN_PW 0
#include "../pool/maxpool2d.c"
POOL_CASE
#include "undef_params.h"

#define KILN_FN maxpool_3x2_s1
#define KILN_OH POOL_OH
#define KILN_OW POOL_OW
#define KILN_N 1
#define KILN_C 2
#define KILN_H 5
#define KILN_W 7
#define KILN_KH 3
#define KILN_KW 2
#define KILN_SH 1
#define KILN_SW 1
#define KILN_PH 1
#define KILN_PW 1
#include "../pool/maxpool2d.c"
POOL_CASE
#include "undef_params.h"

/* ---- global_avgpool ---- */
#define KILN_FN gap_49
#define KILN_N 2
#define KILN_C 5
#define KILN_HW 49
#include "../pool/global_avgpool.c"
#include "undef_params.h"

#define KILN_FN gap_3
#define KILN_N 1
#define KILN_C 7
#define KILN_HW 3
#include "../pool/global_avgpool.c"
#include "undef_params.h"

/* ---- scale_shift ---- */
#define KILN_FN ss_relu
#define KILN_N 2
#define KILN_C 3
#define KILN_HW 50
#define KILN_ACT 1
#include "../norm/scale_shift.c"
#include "undef_params.h"

#define KILN_FN ss_plain
#define KILN_N 1
#define KILN_C 4
#define KILN_HW 7
#include "../norm/scale_shift.c"
#include "undef_params.h"

/* ---- add, relu ---- */
#define KILN_FN add_relu_1001
#define KILN_COUNT 1001
#define KILN_ACT 1
#include "../eltwise/add.c"
#include "undef_params.h"

#define KILN_FN add_70000
#define KILN_COUNT 70000
#define KILN_ACT 0
#include "../eltwise/add.c"
#include "undef_params.h"

#define KILN_FN relu_37
#define KILN_COUNT 37
#include "../eltwise/relu.c"
#include "undef_params.h"

#define KILN_FN relu_100003
#define KILN_COUNT 100003
#include "../eltwise/relu.c"
#include "undef_params.h"

/* ---- linear ---- */
#define KILN_FN linear_small
#define KILN_N 2
#define KILN_IN 37
#define KILN_OUT 11
#define KILN_HAS_BIAS 1
#define KILN_ACT 1
#include "../linear/linear.c"
#include "undef_params.h"

#define KILN_FN linear_fc
#define KILN_N 1
#define KILN_IN 2048
#define KILN_OUT 100
#define KILN_HAS_BIAS 1
#include "../linear/linear.c"
#include "undef_params.h"

#define KILN_FN linear_nobias
#define KILN_N 3
#define KILN_IN 8
#define KILN_OUT 5
#include "../linear/linear.c"
#include "undef_params.h"

/* ------------------------------------------------------------------------------------ */

static int passed, failed;
static uint32_t rng = 12345u;

static float* rnd(size_t count, float scale) {
    float* p = malloc((count ? count : 1) * sizeof *p);
    for (size_t i = 0; i < count; i++) {
        rng ^= rng << 13, rng ^= rng >> 17, rng ^= rng << 5;
        p[i] = scale * ((float)(rng >> 8) / 8388608.0f - 1.0f); /* uniform [-scale, scale) */
    }
    return p;
}

static void check(const char* name, const float* got, const double* ref, size_t count) {
    size_t bad = 0, worst = 0;
    double werr = 0.0;
    for (size_t i = 0; i < count; i++) {
        const double err = fabs((double)got[i] - ref[i]) / (1.0 + fabs(ref[i]));
        if (!(err <= 1e-4)) bad++; /* also catches NaN */
        if (!(err <= werr)) werr = err, worst = i;
    }
    if (bad) {
        failed++;
        printf("FAIL %-22s %zu/%zu wrong, worst [%zu] got %.7g want %.7g\n", name, bad, count,
               worst, (double)got[worst], ref[worst]);
    } else {
        passed++;
        printf("ok   %-22s (%zu values, max rel err %.2g)\n", name, count, werr);
    }
}

static float* scratch_alloc(void) {
    int threads = 1;
#ifdef _OPENMP
    int omp_get_max_threads(void);
    threads = omp_get_max_threads();
#endif
    return malloc((size_t)threads * KILN_SCRATCH_PER_THREAD * sizeof(float));
}

/* KILN_ACT codes of kiln_common.h: 0 none, 1 ReLU, 2 sigmoid, 3 exact (erf) GELU. */
static double ref_act(int act, double s) {
    return act == 1   ? (s > 0 ? s : 0.0)
           : act == 2 ? 1.0 / (1.0 + exp(-s))
           : act == 3 ? 0.5 * s * (1.0 + erf(s / sqrt(2.0)))
                      : s;
}

/* The Swift side's weight packing, for mr > 0. */
static float* pack_weights(const conv_case* c, const float* w) {
    const int mg = c->cout / c->groups, k = c->cin / c->groups * c->kh * c->kw;
    const int mb = (mg + c->mr - 1) / c->mr;
    float* p = malloc((size_t)c->groups * mb * c->mr * k * sizeof *p);
    size_t i = 0;
    for (int g = 0; g < c->groups; g++)
        for (int b = 0; b < mb; b++)
            for (int kk = 0; kk < k; kk++)
                for (int r = 0; r < c->mr; r++) {
                    const int m = b * c->mr + r;
                    p[i++] = m < mg ? w[(size_t)(g * mg + m) * k + kk] : 0.0f;
                }
    return p;
}

static void test_conv(const conv_case* c, float* scratch) {
    const int cg = c->cin / c->groups, mg = c->cout / c->groups, k = cg * c->kh * c->kw;
    const size_t xs = (size_t)c->n * c->cin * c->h * c->w, ys = (size_t)c->n * c->cout * c->oh * c->ow;
    float* x = rnd(xs, 1.0f);
    float* w = rnd((size_t)c->cout * k, 1.7f / sqrtf((float)k)); /* keeps outputs O(1) */
    float* bias = c->bias ? rnd(c->cout, 0.5f) : NULL;
    float* res = c->res ? rnd(ys, 1.0f) : NULL;
    float* y = rnd(ys, 100.0f); /* garbage: every element must be overwritten */
    double* ref = calloc(ys, sizeof *ref);
    for (int n = 0; n < c->n; n++)
        for (int co = 0; co < c->cout; co++)
            for (int oh = 0; oh < c->oh; oh++)
                for (int ow = 0; ow < c->ow; ow++) {
                    const int g = co / mg;
                    double s = 0.0;
                    for (int ci = 0; ci < cg; ci++)
                        for (int kh = 0; kh < c->kh; kh++)
                            for (int kw = 0; kw < c->kw; kw++) {
                                const int ih = oh * c->sh - c->ph + kh * c->dh;
                                const int iw = ow * c->sw - c->pw + kw * c->dw;
                                if (ih < 0 || ih >= c->h || iw < 0 || iw >= c->w) continue;
                                s += (double)x[(((size_t)n * c->cin + g * cg + ci) * c->h + ih) * c->w + iw] *
                                     w[(((size_t)co * cg + ci) * c->kh + kh) * c->kw + kw];
                            }
                    const size_t o = (((size_t)n * c->cout + co) * c->oh + oh) * c->ow + ow;
                    if (bias) s += bias[co];
                    if (res) s += res[o];
                    ref[o] = ref_act(c->act, s);
                }
    float* wp = c->mr ? pack_weights(c, w) : w;
    c->fn(x, wp, bias, res, y, scratch);
    check(c->name, y, ref, ys);
    if (wp != w) free(wp);
    free(x), free(w), free(bias), free(res), free(y), free(ref);
}

static void test_pool(const pool_case* c) {
    const size_t xs = (size_t)c->n * c->c * c->h * c->w, ys = (size_t)c->n * c->c * c->oh * c->ow;
    float* x = rnd(xs, 1.0f);
    float* y = rnd(ys, 100.0f);
    double* ref = calloc(ys, sizeof *ref);
    for (size_t nc = 0; nc < (size_t)c->n * c->c; nc++)
        for (int oh = 0; oh < c->oh; oh++)
            for (int ow = 0; ow < c->ow; ow++) {
                double m = -INFINITY;
                for (int kh = 0; kh < c->kh; kh++)
                    for (int kw = 0; kw < c->kw; kw++) {
                        const int ih = oh * c->sh - c->ph + kh, iw = ow * c->sw - c->pw + kw;
                        if (ih >= 0 && ih < c->h && iw >= 0 && iw < c->w && x[(nc * c->h + ih) * c->w + iw] > m)
                            m = x[(nc * c->h + ih) * c->w + iw];
                    }
                ref[(nc * c->oh + oh) * c->ow + ow] = m;
            }
    c->fn(x, y);
    check(c->name, y, ref, ys);
    free(x), free(y), free(ref);
}

static void test_gap(const char* name, unary_fn fn, int nc, int hw) {
    float* x = rnd((size_t)nc * hw, 1.0f);
    float* y = rnd(nc, 100.0f);
    double* ref = calloc(nc, sizeof *ref);
    for (int i = 0; i < nc; i++) {
        for (int j = 0; j < hw; j++) ref[i] += x[(size_t)i * hw + j];
        ref[i] /= hw;
    }
    fn(x, y);
    check(name, y, ref, nc);
    free(x), free(y), free(ref);
}

typedef void (*ss_fn)(const float*, const float*, const float*, float*);
static void test_scale_shift(const char* name, ss_fn fn, int n, int c, int hw, int act, int inplace) {
    const size_t count = (size_t)n * c * hw;
    float* x = rnd(count, 2.0f);
    float* scale = rnd(c, 1.5f);
    float* shift = rnd(c, 0.5f);
    float* y = inplace ? x : rnd(count, 100.0f);
    double* ref = calloc(count, sizeof *ref);
    for (size_t i = 0; i < count; i++) {
        const double s = (double)x[i] * scale[i / hw % c] + shift[i / hw % c];
        ref[i] = act == 1 && s < 0 ? 0.0 : s;
    }
    fn(x, scale, shift, y);
    check(name, y, ref, count);
    if (y != x) free(y);
    free(x), free(scale), free(shift), free(ref);
}

typedef void (*binary_fn)(const float*, const float*, float*);
static void test_add(const char* name, binary_fn fn, size_t count, int act, int alias) {
    float* a = rnd(count, 1.0f);
    float* b = rnd(count, 1.0f);
    double* ref = calloc(count, sizeof *ref);
    for (size_t i = 0; i < count; i++) {
        const double s = (double)a[i] + b[i];
        ref[i] = act == 1 && s < 0 ? 0.0 : s;
    }
    float* y = alias == 1 ? a : alias == 2 ? b : rnd(count, 100.0f);
    fn(a, b, y);
    check(name, y, ref, count);
    if (y != a && y != b) free(y);
    free(a), free(b), free(ref);
}

static void test_relu(const char* name, unary_fn fn, size_t count, int inplace) {
    float* x = rnd(count, 1.0f);
    double* ref = calloc(count, sizeof *ref);
    for (size_t i = 0; i < count; i++) ref[i] = x[i] > 0 ? x[i] : 0.0;
    float* y = inplace ? x : rnd(count, 100.0f);
    fn(x, y);
    check(name, y, ref, count);
    if (y != x) free(y);
    free(x), free(ref);
}

typedef void (*linear_fn)(const float*, const float*, const float*, float*);
static void test_linear(const char* name, linear_fn fn, int n, int in, int out, int has_bias, int act) {
    float* x = rnd((size_t)n * in, 1.0f);
    float* w = rnd((size_t)out * in, 1.7f / sqrtf((float)in));
    float* bias = has_bias ? rnd(out, 0.5f) : NULL;
    float* y = rnd((size_t)n * out, 100.0f);
    double* ref = calloc((size_t)n * out, sizeof *ref);
    for (int i = 0; i < n; i++)
        for (int o = 0; o < out; o++) {
            double s = bias ? bias[o] : 0.0;
            for (int j = 0; j < in; j++) s += (double)x[(size_t)i * in + j] * w[(size_t)o * in + j];
            ref[(size_t)i * out + o] = act == 1 && s < 0 ? 0.0 : s;
        }
    fn(x, w, bias, y);
    check(name, y, ref, (size_t)n * out);
    free(x), free(w), free(bias), free(y), free(ref);
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    float* scratch = scratch_alloc();
    for (size_t i = 0; i < sizeof conv_cases / sizeof *conv_cases; i++) test_conv(conv_cases[i], scratch);
    free(scratch);
    test_pool(&maxpool_3x3_s2_case);
    test_pool(&maxpool_2x2_case);
    test_pool(&maxpool_3x2_s1_case);
    test_gap("gap_49", gap_49, 2 * 5, 49);
    test_gap("gap_3", gap_3, 7, 3);
    test_scale_shift("ss_relu", ss_relu, 2, 3, 50, 1, 0);
    test_scale_shift("ss_plain_inplace", ss_plain, 1, 4, 7, 0, 1);
    test_add("add_relu_1001", add_relu_1001, 1001, 1, 0);
    test_add("add_70000_y=a", add_70000, 70000, 0, 1);
    test_add("add_70000_y=b", add_70000, 70000, 0, 2);
    test_relu("relu_37", relu_37, 37, 0);
    test_relu("relu_100003_inplace", relu_100003, 100003, 1);
    test_linear("linear_small", linear_small, 2, 37, 11, 1, 1);
    test_linear("linear_fc", linear_fc, 1, 2048, 100, 1, 0);
    test_linear("linear_nobias", linear_nobias, 3, 8, 5, 0, 0);
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
