/* kiln_common.h — shared prelude of every Kiln kernel template.
 *
 * The generator pastes this once at the top of each generated C file; every template also
 * includes it behind `#ifndef KILN_COMMON_H`, so a template compiles alone and, once pasted
 * after this header, skips the include.
 *
 * Model-wide knobs (the generator may predefine them before pasting this header):
 *   KILN_VL                  floats per SIMD vector: 4, 8 or 16 (default 8 = AVX2)
 *   KILN_SCRATCH_PER_THREAD  floats of scratch each OpenMP thread may use (default 1<<20);
 *                            the caller's scratch holds omp_get_max_threads() such slices.
 *
 * Provides: KILN_RESTRICT, KILN_CAT/KILN_CAT2 (name pasting for per-instance helpers),
 * KILN_PRAGMA, KILN_OMP(...) and KILN_OMP_PARALLEL_FOR(...) (expand to nothing without
 * OpenMP, so -Wall never sees an unknown pragma), KILN_UNROLL, KILN_PREFETCH_R/_W, kiln_thread_id(), kiln_claim(), kiln_run_start(), the vector
 * type kiln_vf with memcpy-based unaligned load/store (kiln_vload_n/_store_n for the first n lanes), kiln_vfma, kiln_vsqrt, lane
 * shuffles (kiln_veven, ..., kiln_vtranspose), the 8-float
 * kiln_vf8 (kiln_vload8, kiln_vbroadcast8, kiln_vfma8), kiln_plane_sum, and activations
 * (KILN_ACT 0 = none, 1 = ReLU, 2 = sigmoid, 3 = GELU) as KILN_ACT_S (scalar) / KILN_ACT_V (vector).
 */
#ifndef KILN_COMMON_H
#define KILN_COMMON_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#if defined(__SSE__)
#include <immintrin.h> /* GELU, the reciprocal estimate in kiln_verf_div, masked moves */
#endif

#define KILN_RESTRICT restrict
#define KILN_CAT2(a, b) a##b
#define KILN_CAT(a, b) KILN_CAT2(a, b)
#define KILN_MIN(a, b) ((a) < (b) ? (a) : (b))
#define KILN_MAX(a, b) ((a) > (b) ? (a) : (b))
#define KILN_PRAGMA(...) _Pragma(#__VA_ARGS__)
/* Full unrolling of small constant-trip loops keeps register tiles in registers. */
#define KILN_UNROLL KILN_PRAGMA(GCC unroll 32)

#ifdef _OPENMP
int omp_get_thread_num(void); /* declared here so that no omp.h include path is needed */
int omp_get_num_threads(void);
#define KILN_OMP(...) KILN_PRAGMA(omp __VA_ARGS__)
static inline int kiln_thread_id(void) { return omp_get_thread_num(); }
static inline int kiln_team_size(void) { return omp_get_num_threads(); }
#else
#define KILN_OMP(...)
static inline int kiln_thread_id(void) { return 0; }
static inline int kiln_team_size(void) { return 1; }
#endif
#define KILN_OMP_PARALLEL_FOR(...) KILN_OMP(parallel for __VA_ARGS__)

/* Work sharing inside a parallel region without the OpenMP runtime's loop scheduling: a
 * parallel schedule(dynamic, 1) loop of two empty tasks took ~2.5 us with libomp, a bare
 * parallel region ~0.45 us and one claiming from this counter ~0.5 us (2 threads, Zen 4). For
 * Winograd's shared groups, whose GEMMs follow a barrier.
 * kiln_claim: the next task of a counter the team shares (zeroed before the region, which
 * orders the zeroing before every claim), so the first free thread takes it, as
 * schedule(dynamic, 1) does. Relaxed: each index goes to exactly one thread, and the region's
 * end orders the tasks' writes before what follows. */
typedef struct {
    _Alignas(64) int next; /* a line of its own: the owner's stack variables must not share it */
    char pad[60];
} kiln_counter;
static inline int kiln_claim(kiln_counter* c) { return __atomic_fetch_add(&c->next, 1, __ATOMIC_RELAXED); }
/* The first of n tasks cut into one contiguous run a thread: thread i runs [start(n, i),
 * start(n, i + 1)). Kernels that split work this way (the GEMM's pixel tiles, Winograd's
 * private groups; OpenMP's static schedules in the other kernels, to within a task) give a
 * thread the same part of consecutive layers, so a layer mostly reads what the same core wrote. Against tasks claimed
 * by the first free thread: VAN-b0 0.96x, ResNet-50 1.00x the time, and 0.87x and 0.96x while
 * this VM ran 2 threads 1.2x slower than usual (docs/DESIGN.md, "Thread placement"). */
static inline int kiln_run_start(int n, int thread) { return (int)((long long)n * thread / kiln_team_size()); }

/* Software prefetch of a line to be read, or written (fetched for ownership ahead of the
 * store, so that a kernel's output to memory no cache holds does not stall it). Never faults. */
#define KILN_PREFETCH_R(p) __builtin_prefetch((p), 0, 3)
#define KILN_PREFETCH_W(p) __builtin_prefetch((p), 1, 3)

#ifndef KILN_VL
#define KILN_VL 8
#endif
#if KILN_VL != 4 && KILN_VL != 8 && KILN_VL != 16
#error "KILN_VL must be 4, 8 or 16"
#endif
#ifndef KILN_SCRATCH_PER_THREAD
#define KILN_SCRATCH_PER_THREAD (1 << 20)
#endif

/* All vector helpers are always inlined, so the "vector ABI changed" note that GCC and
 * clang give when KILN_VL is wider than the target's registers is irrelevant here (and a
 * helper left out of line, e.g. exp under -O2 with 16 lanes on AVX2, would be an error). */
#pragma GCC diagnostic ignored "-Wpsabi"
#define KILN_VINLINE static inline __attribute__((always_inline))

typedef float kiln_vf __attribute__((vector_size(KILN_VL * 4)));
typedef int32_t kiln_vi __attribute__((vector_size(KILN_VL * 4)));

/* memcpy: no alignment assumption, no aliasing games; compiles to one unaligned move. */
KILN_VINLINE kiln_vf kiln_vload(const float* p) {
    kiln_vf v;
    memcpy(&v, p, sizeof v);
    return v;
}
KILN_VINLINE void kiln_vstore(float* p, kiln_vf v) { memcpy(p, &v, sizeof v); }
/* Not `(kiln_vf){0} + s` (0 + s cannot fold because of -0.0, so it costs an add). GCC
 * turns a lane loop into inserts when inlined, so it gets an explicit splat shuffle. */
KILN_VINLINE kiln_vf kiln_vbroadcast(float s) {
#if defined(__GNUC__) && !defined(__clang__)
    return __builtin_shuffle((kiln_vf){s}, (kiln_vi){0});
#else
    kiln_vf v;
    for (int i = 0; i < KILN_VL; i++) v[i] = s;
    return v;
#endif
}
/* Lane shuffles of two vectors a, b (lanes 0..VL-1 of a, then VL..2VL-1 of b): the even and
 * the odd lanes (a stride-2 load; one shuffle pair on AVX2), the low and the high halves
 * interleaved (a0 b0 a1 b1 ...), and the lanes one on (a1 .. a(VL-1) b0). */
#if KILN_VL == 4
#define KILN_EVEN_LANES 0, 2, 4, 6
#define KILN_ODD_LANES 1, 3, 5, 7
#define KILN_LO_LANES 0, 4, 1, 5
#define KILN_HI_LANES 2, 6, 3, 7
#define KILN_NEXT_LANES 1, 2, 3, 4
#elif KILN_VL == 8
#define KILN_EVEN_LANES 0, 2, 4, 6, 8, 10, 12, 14
#define KILN_ODD_LANES 1, 3, 5, 7, 9, 11, 13, 15
#define KILN_LO_LANES 0, 8, 1, 9, 2, 10, 3, 11
#define KILN_HI_LANES 4, 12, 5, 13, 6, 14, 7, 15
#define KILN_NEXT_LANES 1, 2, 3, 4, 5, 6, 7, 8
#else
#define KILN_EVEN_LANES 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30
#define KILN_ODD_LANES 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31
#define KILN_LO_LANES 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23
#define KILN_HI_LANES 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31
#define KILN_NEXT_LANES 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16
#endif
#if defined(__clang__)
#define KILN_SHUFFLE2(a, b, lanes) __builtin_shufflevector(a, b, lanes)
#else
#define KILN_SHUFFLE2(a, b, lanes) __builtin_shuffle(a, b, (kiln_vi){lanes})
#endif
KILN_VINLINE kiln_vf kiln_veven(kiln_vf a, kiln_vf b) { return KILN_SHUFFLE2(a, b, KILN_EVEN_LANES); }
KILN_VINLINE kiln_vf kiln_vodd(kiln_vf a, kiln_vf b) { return KILN_SHUFFLE2(a, b, KILN_ODD_LANES); }
KILN_VINLINE kiln_vf kiln_vziplo(kiln_vf a, kiln_vf b) { return KILN_SHUFFLE2(a, b, KILN_LO_LANES); }
KILN_VINLINE kiln_vf kiln_vziphi(kiln_vf a, kiln_vf b) { return KILN_SHUFFLE2(a, b, KILN_HI_LANES); }
KILN_VINLINE kiln_vf kiln_vnext(kiln_vf a, kiln_vf b) { return KILN_SHUFFLE2(a, b, KILN_NEXT_LANES); }
/* Transposes the VL x VL matrix whose rows are r[0..VL-1], in place: log2(VL) rounds of
 * interleaving row i with row i + VL/2 (a perfect shuffle, which applied log2(VL) times moves
 * element (i, j) to (j, i)). */
KILN_VINLINE void kiln_vtranspose(kiln_vf r[KILN_VL]) {
    for (int round = 1; round < KILN_VL; round *= 2) {
        kiln_vf t[KILN_VL];
        KILN_UNROLL
        for (int i = 0; i < KILN_VL / 2; i++) {
            t[2 * i] = kiln_vziplo(r[i], r[i + KILN_VL / 2]);
            t[2 * i + 1] = kiln_vziphi(r[i], r[i + KILN_VL / 2]);
        }
        KILN_UNROLL
        for (int i = 0; i < KILN_VL; i++) r[i] = t[i];
    }
}
/* Lanes 0..n-1 (1 <= n <= VL) of p, the rest 0, and the store of lanes 0..n-1 (or lo..hi-1,
 * 0 <= lo < hi <= VL) of v: masked moves where the ISA has them, so that a short run at the end
 * of a row neither reads nor writes past it. */
#if defined(__AVX512F__) && KILN_VL == 16
KILN_VINLINE kiln_vf kiln_vload_n(const float* p, int n) {
    return (kiln_vf)_mm512_maskz_loadu_ps((__mmask16)((1u << n) - 1), p);
}
KILN_VINLINE void kiln_vstore_lanes(float* p, kiln_vf v, int lo, int hi) {
    _mm512_mask_storeu_ps(p, (__mmask16)(((1u << hi) - 1) & ~((1u << lo) - 1)), (__m512)v);
}
#elif defined(__AVX2__) && KILN_VL == 8
KILN_VINLINE __m256i kiln_lanes_below(int n) { return (__m256i)((kiln_vi){0, 1, 2, 3, 4, 5, 6, 7} < n); }
KILN_VINLINE kiln_vf kiln_vload_n(const float* p, int n) { return (kiln_vf)_mm256_maskload_ps(p, kiln_lanes_below(n)); }
KILN_VINLINE void kiln_vstore_lanes(float* p, kiln_vf v, int lo, int hi) {
    _mm256_maskstore_ps(p, _mm256_andnot_si256(kiln_lanes_below(lo), kiln_lanes_below(hi)), (__m256)v);
}
#else
KILN_VINLINE kiln_vf kiln_vload_n(const float* p, int n) {
    kiln_vf v = kiln_vbroadcast(0.0f);
    for (int i = 0; i < n; i++) v[i] = p[i];
    return v;
}
KILN_VINLINE void kiln_vstore_lanes(float* p, kiln_vf v, int lo, int hi) {
    for (int i = lo; i < hi; i++) p[i] = v[i];
}
#endif
KILN_VINLINE void kiln_vstore_n(float* p, kiln_vf v, int n) { kiln_vstore_lanes(p, v, 0, n); }
KILN_VINLINE float kiln_vsum(kiln_vf v) {
    float s = 0.0f;
    for (int i = 0; i < KILN_VL; i++) s += v[i];
    return s;
}

/* a * b + c, fused where the target has FMA. Clang contracts this expression by default;
 * GCC does not in ISO C mode (-std=c11 implies -ffp-contract=off), so use its builtins. */
KILN_VINLINE kiln_vf kiln_vfma(kiln_vf a, kiln_vf b, kiln_vf c) {
#if defined(__GNUC__) && !defined(__clang__) && defined(__FMA__) && KILN_VL == 8
    return __builtin_ia32_vfmaddps256(a, b, c);
#elif defined(__GNUC__) && !defined(__clang__) && defined(__FMA__) && KILN_VL == 4
    return __builtin_ia32_vfmaddps(a, b, c);
#elif defined(__GNUC__) && !defined(__clang__) && defined(__AVX512F__) && KILN_VL == 16
    return __builtin_ia32_vfmaddps512_mask(a, b, c, (unsigned short)-1, 4);
#else
    return a * b + c;
#endif
}

/* The taps of a stride-1 depthwise conv on a band of output rows, for conv2d_depthwise.c and
 * conv2d_gemm.c's depthwise prologue: acc[r][v] += w[kh][kw] * the vector at pad + (r + kh)*dh
 * rows of pwid floats + kw*dw + v*VL, for band rows r < rb and vectors v < nv. Each padded row's
 * vectors are loaded once a tap column and feed every band row whose taps reach that row, up
 * to kh_n FMAs a load (unaligned tap loads straddle cache lines: one load an FMA had cost ~1.7
 * cycles a tap on Zen 4). Always inlined with constant sizes: the padded-row loop unrolls, so
 * which band rows a row feeds is known at compile time; the tap-column loop stays rolled
 * (fully unrolled, the compiler hoisted every load and spilled).
 * Padded rows and tap columns that read only padding (zeros) are skipped: the band's first
 * padded row is image row ih of h, its tap column 0 reads image columns iw .. iw+ncol-1 of wd
 * for the band's ncol valid output columns. On 7x7 and 14x14 maps most of a 7x7 dilated-3
 * kernel's taps, and a third of a 5x5's on 7x7, fall in the padding. */
#define KILN_DW_RB_MAX 8
#define KILN_DW_NV_MAX 4
KILN_VINLINE void kiln_dw_band(kiln_vf acc[KILN_DW_RB_MAX][KILN_DW_NV_MAX], const float* pad, int pwid, const float* w,
                               int kh_n, int kw_n, int dh, int dw, int rb, int nv, int ih, int h, int iw, int wd, int ncol) {
    const int skip = (kh_n - 1) * dh >= 4; /* not 3x3: pad 1 leaves little to skip, and the checks cost (14² + GELU 1.09x) */
    int kw0 = 0, kw1 = kw_n;
    while (skip && kw0 < kw1 && iw + kw0 * dw + ncol <= 0) kw0++;
    while (skip && kw1 > kw0 && iw + (kw1 - 1) * dw >= wd) kw1--;
    KILN_UNROLL
    for (int pr = 0; pr < kh_n + rb - 1; pr++) {
        if (skip && (ih + pr * dh < 0 || ih + pr * dh >= h)) continue; /* a row of padding */
        const float* src = pad + (ptrdiff_t)pr * dh * pwid;
        KILN_PRAGMA(GCC unroll 1)
        for (int kw = kw0; kw < kw1; kw++) {
            kiln_vf in[KILN_DW_NV_MAX];
            KILN_UNROLL
            for (int v = 0; v < nv; v++) in[v] = kiln_vload(src + kw * dw + v * KILN_VL);
            KILN_UNROLL
            for (int r = 0; r < rb; r++) {
                const int kh = pr - r; /* the tap row that reads padded row pr for band row r */
                if (kh < 0 || kh >= kh_n) continue;
                const kiln_vf wv = kiln_vbroadcast(w[kh * kw_n + kw]);
                KILN_UNROLL
                for (int v = 0; v < nv; v++) acc[r][v] = kiln_vfma(wv, in[v], acc[r][v]);
            }
        }
    }
}

/* 8-float vectors whatever KILN_VL (two halves at VL 4): for a short dimension of 8, such as
 * conv2d_gemm's 8 register-tile rows along the lanes of its narrow last column block. */
typedef float kiln_vf8 __attribute__((vector_size(32)));
KILN_VINLINE kiln_vf8 kiln_vload8(const float* p) {
    kiln_vf8 v;
    memcpy(&v, p, sizeof v);
    return v;
}
typedef int32_t kiln_vi8 __attribute__((vector_size(32)));
KILN_VINLINE kiln_vf8 kiln_vbroadcast8(float s) {
#if defined(__GNUC__) && !defined(__clang__)
    return __builtin_shuffle((kiln_vf8){s}, (kiln_vi8){0});
#else
    kiln_vf8 v;
    for (int i = 0; i < 8; i++) v[i] = s;
    return v;
#endif
}
KILN_VINLINE kiln_vf8 kiln_vfma8(kiln_vf8 a, kiln_vf8 b, kiln_vf8 c) {
#if defined(__GNUC__) && !defined(__clang__) && defined(__FMA__)
    return __builtin_ia32_vfmaddps256(a, b, c);
#else
    return a * b + c;
#endif
}

/* Activations. NaN maps to 0 under ReLU in both forms (comparison is false). */
static inline float kiln_act_relu(float x) { return x > 0.0f ? x : 0.0f; }
KILN_VINLINE kiln_vf kiln_vact_relu(kiln_vf v) {
    return (kiln_vf)((kiln_vi)v & (v > kiln_vbroadcast(0.0f)));
}
/* Square root per lane, correctly rounded (the ISA's instruction, else libm per lane). */
KILN_VINLINE kiln_vf kiln_vsqrt(kiln_vf a) {
#if defined(__AVX512F__) && KILN_VL == 16
    return (kiln_vf)_mm512_sqrt_ps((__m512)a);
#elif defined(__AVX__) && KILN_VL == 8
    return (kiln_vf)_mm256_sqrt_ps((__m256)a);
#else
    for (int i = 0; i < KILN_VL; i++) a[i] = sqrtf(a[i]);
    return a;
#endif
}
/* Sigmoid per lane with libm's expf (gates are small). GELU is the exact erf form, computed
 * per vector (below: a piecewise cubic on AVX-512, else a rational approximation of erf), where
 * libm's erff costs ~20 ns a call and dominated VAN's MLPs. */
static inline float kiln_act_sigmoid(float x) { return 1.0f / (1.0f + expf(-x)); }
/* exp per vector (Cephes' expf: range reduction by ln 2, degree-5 polynomial, exponent
 * by integer add; ~1 ulp), so SA-Net's full-size sigmoid gates vectorise too. */
KILN_VINLINE kiln_vf kiln_vexp(kiln_vf a) {
    const kiln_vf lo = kiln_vbroadcast(-87.3f), hi = kiln_vbroadcast(88.3f);
    const kiln_vi below = a < lo, above = a > hi;
    kiln_vf x = (kiln_vf)(((kiln_vi)a & ~(below | above)) | ((kiln_vi)lo & below) | ((kiln_vi)hi & above));
    kiln_vf t = x * 1.44269504088896341f + 0.5f;
    kiln_vi n = __builtin_convertvector(t, kiln_vi);
    n -= (kiln_vi)(__builtin_convertvector(n, kiln_vf) > t) & 1; /* floor, not truncation */
    const kiln_vf fn = __builtin_convertvector(n, kiln_vf);
    x = x - fn * 0.693359375f - fn * -2.12194440e-4f;
    const kiln_vf z = x * x;
    kiln_vf y = 1.9875691500e-4f * x + 1.3981999507e-3f;
    y = y * x + 8.3334519073e-3f;
    y = y * x + 4.1665795894e-2f;
    y = y * x + 1.6666665459e-1f;
    y = y * x + 5.0000001201e-1f;
    y = y * z + x + 1.0f;
    return y * (kiln_vf)((n + 127) << 23);
}
KILN_VINLINE kiln_vf kiln_vact_sigmoid(kiln_vf v) {
    return kiln_vbroadcast(1.0f) / (kiln_vbroadcast(1.0f) + kiln_vexp(-v));
}
/* p / q for erf's denominator (q in [-2.4, -0.014]: no zero, no overflow): the x86 reciprocal
 * estimate and one Newton step (relative error ~2e-7) instead of a division, which measured
 * 0.65 vs 0.52 ns a GELU on AMD EPYC (AVX2); a division on other targets. */
#if defined(__AVX512F__) && KILN_VL == 16
#define KILN_RCP_ESTIMATE(q) ((kiln_vf)_mm512_rcp14_ps((__m512)(q)))
#define KILN_VMIN(a, b) ((kiln_vf)_mm512_min_ps((__m512)(a), (__m512)(b)))
#define KILN_VMAX(a, b) ((kiln_vf)_mm512_max_ps((__m512)(a), (__m512)(b)))
#elif defined(__AVX__) && KILN_VL == 8
#define KILN_RCP_ESTIMATE(q) ((kiln_vf)_mm256_rcp_ps((__m256)(q)))
#define KILN_VMIN(a, b) ((kiln_vf)_mm256_min_ps((__m256)(a), (__m256)(b)))
#define KILN_VMAX(a, b) ((kiln_vf)_mm256_max_ps((__m256)(a), (__m256)(b)))
#elif defined(__SSE__) && KILN_VL == 4
#define KILN_RCP_ESTIMATE(q) ((kiln_vf)_mm_rcp_ps((__m128)(q)))
#define KILN_VMIN(a, b) ((kiln_vf)_mm_min_ps((__m128)(a), (__m128)(b)))
#define KILN_VMAX(a, b) ((kiln_vf)_mm_max_ps((__m128)(a), (__m128)(b)))
#endif
KILN_VINLINE kiln_vf kiln_verf_div(kiln_vf p, kiln_vf q) {
#ifdef KILN_RCP_ESTIMATE
    const kiln_vf r = KILN_RCP_ESTIMATE(q);
    return p * (r * (kiln_vbroadcast(2.0f) - q * r));
#else
    return p / q;
#endif
}
/* a clamped to [-c, c]; NaN becomes -c with x86 max (it returns its second operand) or stays NaN
 * with the masks: either way GELU's outer factor v keeps it NaN. One instruction each where
 * the masks cost a compare, two logic ops and a blend (GELU 19.7 vs 24.1 cycles a vector). */
KILN_VINLINE kiln_vf kiln_vclamp(kiln_vf a, float c) {
#ifdef KILN_VMIN
    return KILN_VMIN(KILN_VMAX(a, kiln_vbroadcast(-c)), kiln_vbroadcast(c));
#else
    const kiln_vf lo = kiln_vbroadcast(-c), hi = kiln_vbroadcast(c);
    const kiln_vi below = a < lo, above = a > hi;
    return (kiln_vf)(((kiln_vi)a & ~(below | above)) | ((kiln_vi)lo & below) | ((kiln_vi)hi & above));
#endif
}
#if defined(__AVX512F__) && KILN_VL == 16
/* GELU(v) = max(v, 0) - T(|v|), T(a) = a erfc(a / sqrt 2) / 2 (the part of |v|/2 GELU drops): T is
 * a cubic on each of 31 segments of width w = 5.5/30.5 centred on i w, and 0 from 5.5 on (tables
 * from tools/fit_gelu.py), each coefficient taken from its 32-entry table by one vpermt2ps. Of
 * its 15 vector ops 4 run on the FMA units, which GELU waits for, where the form v/2 +
 * |v| erf(|v| / sqrt 2)/2 ran 6 (Zen 4: 9.7 against 10.9 cycles a vector in a loop; VAN's fc2
 * with its prologue 0.98-0.99x the time) and the rational form below 17. Within 5.2e-7 of the
 * double-precision GELU (the rational form: 1.6e-6), exactly 0 below -5.5, NaN kept. */
KILN_VINLINE kiln_vf kiln_vact_gelu(kiln_vf v) {
    static const float kiln_gelu_c0[32] __attribute__((aligned(64))) = {
        -3.41418548e-08f, 7.72605317e-02f, 1.29539355e-01f, 1.59189293e-01f, 1.69767045e-01f, 1.65562934e-01f, 1.51079137e-01f, 1.30548500e-01f,
        1.07567113e-01f, 8.48805374e-02f, 6.43271913e-02f, 4.69121698e-02f, 3.29669633e-02f, 2.23464351e-02f, 1.46215788e-02f, 9.24014628e-03f,
        5.64218234e-03f, 3.32998894e-03f, 1.90011002e-03f, 1.04844252e-03f, 5.59515718e-04f, 2.88828398e-04f, 1.44236388e-04f, 6.96876920e-05f,
        3.25773569e-05f, 1.47360454e-05f, 6.45021003e-06f, 2.73220618e-06f, 1.11999423e-06f, 4.44318514e-07f, 1.70592900e-07f, 0.00000000e+00f};
    static const float kiln_gelu_c1[32] __attribute__((aligned(64))) = {
        9.01661220e-02f, 6.44974627e-02f, 4.04579778e-02f, 1.94426733e-02f, 2.43674043e-03f, -1.00864626e-02f, -1.81694870e-02f, -2.22888985e-02f,
        -2.32154144e-02f, -2.18526653e-02f, -1.90892722e-02f, -1.56888806e-02f, -1.22289759e-02f, -9.08626726e-03f, -6.45738823e-03f, -4.39993181e-03f,
        -2.87944684e-03f, -1.81224012e-03f, -1.09800293e-03f, -6.40937675e-04f, -3.60684146e-04f, -1.95776193e-04f, -1.02540947e-04f, -5.18431855e-05f,
        -2.53087673e-05f, -1.19328435e-05f, -5.43505032e-06f, -2.39182891e-06f, -1.01716938e-06f, -4.18074807e-07f, -1.66098554e-07f, 0.00000000e+00f};
    static const float kiln_gelu_c2[32] __attribute__((aligned(64))) = {
        -1.29947573e-02f, -1.25398189e-02f, -1.13526455e-02f, -9.55923316e-03f, -7.39738055e-03f, -5.13093841e-03f, -3.00287035e-03f, -1.19813709e-03f,
        1.76295979e-04f, 1.09300701e-03f, 1.59035873e-03f, 1.74977571e-03f, 1.67106980e-03f, 1.45149652e-03f, 1.17176358e-03f, 8.89632074e-04f,
        6.39831108e-04f, 4.37989678e-04f, 2.86309732e-04f, 1.79150508e-04f, 1.07494450e-04f, 6.19352891e-05f, 3.43040819e-05f, 1.82804827e-05f,
        9.37935714e-06f, 4.63615853e-06f, 2.20880903e-06f, 1.01474034e-06f, 4.49680937e-07f, 1.92283237e-07f, 7.93565627e-08f, 0.00000000e+00f};
    static const float kiln_gelu_c3[32] __attribute__((aligned(64))) = {
        7.01536887e-05f, 2.73707488e-04f, 5.08584999e-04f, 6.73877659e-04f, 7.52802961e-04f, 7.44786143e-04f, 6.63797971e-04f, 5.33559003e-04f,
        3.81326361e-04f, 2.32024275e-04f, 1.04095502e-04f, 7.70755186e-06f, -5.48323480e-05f, -8.71443083e-05f, -9.62591580e-05f, -9.00120723e-05f,
        -7.57083895e-05f, -5.87651785e-05f, -4.26853685e-05f, -2.92590139e-05f, -1.90299106e-05f, -1.17884090e-05f, -6.97440865e-06f, -3.94901710e-06f,
        -2.14334703e-06f, -1.11651846e-06f, -5.58793979e-07f, -2.68913821e-07f, -1.24523853e-07f, -5.55168675e-08f, -2.38422695e-08f, 0.00000000e+00f};
    const __m512 x = (__m512)v, a = _mm512_abs_ps(x);
    const __m512 t = _mm512_min_ps(_mm512_mul_ps(a, _mm512_set1_ps(30.5f / 5.5f)), _mm512_set1_ps(31.0f));
    /* Adding 1.5 * 2^23 rounds t to the nearest integer, which lands in the sum's low mantissa
     * bits: there vpermt2ps reads the segment's index. u = t - round(t), in [-1/2, 1/2]. */
    const __m512 magic = _mm512_set1_ps(12582912.0f), tm = _mm512_add_ps(t, magic);
    const __m512 u = _mm512_sub_ps(t, _mm512_sub_ps(tm, magic));
    const __m512i i = _mm512_castps_si512(tm);
#define KILN_GELU_COEF(c) _mm512_permutex2var_ps(_mm512_load_ps(c), i, _mm512_load_ps(c + 16))
    __m512 g = _mm512_fmadd_ps(KILN_GELU_COEF(kiln_gelu_c3), u, KILN_GELU_COEF(kiln_gelu_c2));
    g = _mm512_fmadd_ps(g, u, KILN_GELU_COEF(kiln_gelu_c1));
    g = _mm512_fmadd_ps(g, u, KILN_GELU_COEF(kiln_gelu_c0));
#undef KILN_GELU_COEF
    /* max's second operand is returned when either is NaN: v, so GELU(NaN) stays NaN. */
    return (kiln_vf)_mm512_sub_ps(_mm512_max_ps(_mm512_setzero_ps(), x), g);
}
#else
/* Other targets: GELU(v) = v (1/2 + erf(v / sqrt 2) / 2), erf(x) = x P(x^2) / Q(x^2) clamped at
 * |x| = 4 (erf(4) is 1 in float32). The scale 1/sqrt 2 and the 1/2 are folded into the
 * coefficients (p_k 2^-(k+3/2), q_k 2^-k of Eigen's), saving a multiply of ~17; the float32
 * result is within 1.6e-6 of the double-precision GELU. Past the clamp P/Q is -0.49999997, not
 * -1/2, so v (P/Q + 1/2) would grow with -v (GELU(-100) 6e-6): the tail is set to 0. */
KILN_VINLINE kiln_vf kiln_vact_gelu(kiln_vf v) {
    const kiln_vf x = kiln_vclamp(v, 5.656854249492381f), x2 = x * x;
    kiln_vf p = -1.505995060250187e-12f * x2 + 3.061199412650199e-10f;
    p = p * x2 + -4.642651039253872e-08f;
    p = p * x2 + -2.515756170991270e-06f;
    p = p * x2 + -6.496460735158673e-05f;
    p = p * x2 + -5.223043900778213e-04f;
    p = (p * x2 + -5.690807157595012e-03f) * x;
    kiln_vf q = -9.103794904062243e-07f * x2 + -2.667175690986311e-05f;
    q = q * x2 + -4.207067435955073e-04f;
    q = q * x2 + -3.686664583602339e-03f;
    q = q * x2 + -1.426473905141890e-02f;
    const kiln_vf r = v * kiln_verf_div(p, q) + v * 0.5f;
    return (kiln_vf)((kiln_vi)r & ~(v < kiln_vbroadcast(-5.656854249492381f)));
}
#endif
/* The scalar form is lane 0 of the vector one, so fused and unfused GELU agree bit for bit. */
static inline float kiln_act_gelu(float x) { return kiln_vact_gelu(kiln_vbroadcast(x))[0]; }
/* Sum of p[0..n) (or of (p[i] - mean)^2 when `squares`): float partial sums in 4 vectors, each
 * lane summing n/(4*VL) values (~100 for a 56x56 plane), then the lanes added in double. For
 * the statistics of GroupNorm and SA-Net's gates. */
static inline double kiln_plane_sum(const float* p, ptrdiff_t n, int squares, float mean) {
    kiln_vf acc[4];
    for (int k = 0; k < 4; k++) acc[k] = kiln_vbroadcast(0.0f);
    const kiln_vf m = kiln_vbroadcast(mean);
    ptrdiff_t i = 0;
    for (; i + 4 * KILN_VL <= n; i += 4 * KILN_VL)
        for (int k = 0; k < 4; k++) {
            const kiln_vf v = kiln_vload(p + i + k * KILN_VL);
            acc[k] += squares ? (v - m) * (v - m) : v;
        }
    double total = 0.0;
    for (int k = 0; k < 4; k++)
        for (int l = 0; l < KILN_VL; l++) total += acc[k][l];
    for (; i < n; i++) total += squares ? ((double)p[i] - mean) * ((double)p[i] - mean) : p[i];
    return total;
}

/* KILN_ACT codes: 0 none, 1 ReLU, 2 sigmoid, 3 GELU (the Swift side's Activation.code). */
#define KILN_ACT_S(act, x) \
    ((act) == 1 ? kiln_act_relu(x) : (act) == 2 ? kiln_act_sigmoid(x) : (act) == 3 ? kiln_act_gelu(x) : (x))
#define KILN_ACT_V(act, v) \
    ((act) == 1 ? kiln_vact_relu(v) : (act) == 2 ? kiln_vact_sigmoid(v) : (act) == 3 ? kiln_vact_gelu(v) : (v))

/* The conv epilogue over a run of n outputs: y[i] = act(a[i] + b + r[i]), r NULL for none.
 * Always inlined with constant act, so the branches fold away. y may be a. */
KILN_VINLINE void kiln_epilogue(const float* a, float b, const float* r, float* y, ptrdiff_t n, int act) {
    ptrdiff_t i = 0;
    for (; i + KILN_VL <= n; i += KILN_VL) {
        kiln_vf v = kiln_vload(a + i) + kiln_vbroadcast(b);
        if (r) v += kiln_vload(r + i);
        kiln_vstore(y + i, KILN_ACT_V(act, v));
    }
    for (; i < n; i++) y[i] = KILN_ACT_S(act, a[i] + b + (r ? r[i] : 0.0f));
}

#endif /* KILN_COMMON_H */
