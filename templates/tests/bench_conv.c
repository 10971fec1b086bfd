/* bench_conv.c — times conv2d_gemm on ResNet-50 layer shapes with 1 and 2 threads and
 * prints GFLOP/s next to a measured FMA peak. Not run by check.sh. Build, e.g.:
 *   gcc -std=c11 -O3 -march=native -fopenmp bench_conv.c -o bench -lm && ./bench
 * adding -DKILN_VL=16 on AVX-512 machines: kiln_common.h defaults to 8 lanes, while the JIT
 * defines the host's width.
 * Knobs: -DBENCH_MR=.. -DBENCH_NR=.. -DBENCH_NT=.. (one NT for every shape instead of
 * NT_RULE), -DBENCH_THREADS=.., -DBENCH_CHUNKS=.., -DBENCH_T0/T1=.. (thread counts to time),
 * -DBENCH_COLD=1 (weights from DRAM, as in a whole network: 16 copies rotated), =2 (inputs and
 * outputs too, in no cache), =3 (and the input dirty in both cores' caches). GF/s are at the
 * median call. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#define KILN_SCRATCH_PER_THREAD (3 << 20) /* Winograd groups with their slack: 36 * 64 * 1024 floats */
#include "../kiln_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench_clock.h"
#ifdef _OPENMP
void omp_set_num_threads(int);
int omp_get_max_threads(void);
#endif

#ifndef BENCH_T1
#define BENCH_T1 2
#endif
#ifndef BENCH_T0
#define BENCH_T0 1
#endif
#ifndef BENCH_MR
#define BENCH_MR 6
#endif
#ifndef BENCH_NR
#define BENCH_NR (2 * KILN_VL)
#endif
/* Schedule rules (what the generator's schedule pass should do), all in floats:
 *   NT      = largest multiple of NR with K*NT <= 64Ki (B panel <= 256 KiB, half of L2),
 *             clamped to [64, 256], then to P rounded up to NR;
 *   MCHUNKS = threads if N*G*tiles < 4*threads (few or ragged tiles), else 1 (every
 *             chunk packs its own panel: on 3x3 7x7 layers 8 chunks ran at 2/3 the speed of 2).
 */
#ifndef BENCH_COLD
#define BENCH_COLD 0
#endif
#define BENCH_ACT ((size_t)4 << 20) /* floats of one input or output copy */
#ifndef BENCH_THREADS
#define BENCH_THREADS 2
#endif
#define RUP(a, b) (((a) + (b)-1) / (b) * (b))
#define CLAMP(v, lo, hi) ((v) < (lo) ? (lo) : (v) > (hi) ? (hi) : (v))
#define NT_RULE(k, p) KILN_MIN(CLAMP(65536 / (k) / BENCH_NR * BENCH_NR, 64, 256), RUP(p, BENCH_NR))
#ifdef BENCH_NT
#define NT_FOR(k, p) BENCH_NT
#else
#define NT_FOR(k, p) NT_RULE(k, p)
#endif
#define TILES(p, nt) (((p) + (nt)-1) / (nt))
#ifdef BENCH_CHUNKS
#define CHUNKS_FOR(mg, p, nt) BENCH_CHUNKS
#else
#define CHUNKS_FOR(mg, p, nt) (TILES(p, nt) < 4 * BENCH_THREADS ? BENCH_THREADS : 1)
#endif

typedef void (*conv_fn)(const float*, const float*, const float*, const float*, float*, float*);
typedef struct { const char* name; conv_fn fn; int cin, hw, cout, ks, ohw, nt, chunks; } shape;

/* Parameters shared by every instance stay defined; batch 1, bias + ReLU epilogue. */
#define KILN_N 1
#define KILN_GROUPS 1
#define KILN_DH 1
#define KILN_DW 1
#define KILN_MR BENCH_MR
#define KILN_NR BENCH_NR
#define KILN_HAS_BIAS 1
#define KILN_HAS_RESIDUAL 0
#define KILN_ACT 1

#define KILN_FN c1x1_256_64_56
#define KILN_CIN 256
#define KILN_H 56
#define KILN_W 56
#define KILN_COUT 64
#define KILN_OH 56
#define KILN_OW 56
#define KILN_KH 1
#define KILN_KW 1
#define KILN_SH 1
#define KILN_SW 1
#define KILN_PH 0
#define KILN_PW 0
#define KILN_NT NT_FOR(256, 3136)
#define KILN_MCHUNKS CHUNKS_FOR(64, 3136, KILN_NT)
#include "../conv/conv2d_gemm.c"
static const shape c1x1_256_64_56_shape = {"c1x1_256_64_56", c1x1_256_64_56, 256, 56, 64, 1, 56, KILN_NT, KILN_MCHUNKS};
#undef KILN_FN
#undef KILN_CIN
#undef KILN_H
#undef KILN_W
#undef KILN_COUT
#undef KILN_OH
#undef KILN_OW
#undef KILN_KH
#undef KILN_KW
#undef KILN_SH
#undef KILN_SW
#undef KILN_PH
#undef KILN_PW
#undef KILN_NT
#undef KILN_MCHUNKS

#define KILN_FN c1x1_64_256_56
#define KILN_CIN 64
#define KILN_H 56
#define KILN_W 56
#define KILN_COUT 256
#define KILN_OH 56
#define KILN_OW 56
#define KILN_KH 1
#define KILN_KW 1
#define KILN_SH 1
#define KILN_SW 1
#define KILN_PH 0
#define KILN_PW 0
#define KILN_NT NT_FOR(64, 3136)
#define KILN_MCHUNKS CHUNKS_FOR(256, 3136, KILN_NT)
#include "../conv/conv2d_gemm.c"
static const shape c1x1_64_256_56_shape = {"c1x1_64_256_56", c1x1_64_256_56, 64, 56, 256, 1, 56, KILN_NT, KILN_MCHUNKS};
#undef KILN_FN
#undef KILN_CIN
#undef KILN_H
#undef KILN_W
#undef KILN_COUT
#undef KILN_OH
#undef KILN_OW
#undef KILN_KH
#undef KILN_KW
#undef KILN_SH
#undef KILN_SW
#undef KILN_PH
#undef KILN_PW
#undef KILN_NT
#undef KILN_MCHUNKS

#define KILN_FN c3x3_64_64_56
#define KILN_CIN 64
#define KILN_H 56
#define KILN_W 56
#define KILN_COUT 64
#define KILN_OH 56
#define KILN_OW 56
#define KILN_KH 3
#define KILN_KW 3
#define KILN_SH 1
#define KILN_SW 1
#define KILN_PH 1
#define KILN_PW 1
#define KILN_NT NT_FOR(576, 3136)
#define KILN_MCHUNKS CHUNKS_FOR(64, 3136, KILN_NT)
#include "../conv/conv2d_gemm.c"
static const shape c3x3_64_64_56_shape = {"c3x3_64_64_56", c3x3_64_64_56, 64, 56, 64, 3, 56, KILN_NT, KILN_MCHUNKS};
#undef KILN_FN
#undef KILN_CIN
#undef KILN_H
#undef KILN_W
#undef KILN_COUT
#undef KILN_OH
#undef KILN_OW
#undef KILN_KH
#undef KILN_KW
#undef KILN_SH
#undef KILN_SW
#undef KILN_PH
#undef KILN_PW
#undef KILN_NT
#undef KILN_MCHUNKS

#define KILN_FN c3x3_128_128_28
#define KILN_CIN 128
#define KILN_H 28
#define KILN_W 28
#define KILN_COUT 128
#define KILN_OH 28
#define KILN_OW 28
#define KILN_KH 3
#define KILN_KW 3
#define KILN_SH 1
#define KILN_SW 1
#define KILN_PH 1
#define KILN_PW 1
#define KILN_NT NT_FOR(1152, 784)
#define KILN_MCHUNKS CHUNKS_FOR(128, 784, KILN_NT)
#include "../conv/conv2d_gemm.c"
static const shape c3x3_128_128_28_shape = {"c3x3_128_128_28", c3x3_128_128_28, 128, 28, 128, 3, 28, KILN_NT, KILN_MCHUNKS};
#undef KILN_FN
#undef KILN_CIN
#undef KILN_H
#undef KILN_W
#undef KILN_COUT
#undef KILN_OH
#undef KILN_OW
#undef KILN_KH
#undef KILN_KW
#undef KILN_SH
#undef KILN_SW
#undef KILN_PH
#undef KILN_PW
#undef KILN_NT
#undef KILN_MCHUNKS

#define KILN_FN c1x1_1024_256_14
#define KILN_CIN 1024
#define KILN_H 14
#define KILN_W 14
#define KILN_COUT 256
#define KILN_OH 14
#define KILN_OW 14
#define KILN_KH 1
#define KILN_KW 1
#define KILN_SH 1
#define KILN_SW 1
#define KILN_PH 0
#define KILN_PW 0
#define KILN_NT NT_FOR(1024, 196)
#define KILN_MCHUNKS CHUNKS_FOR(256, 196, KILN_NT)
#include "../conv/conv2d_gemm.c"
static const shape c1x1_1024_256_14_shape = {"c1x1_1024_256_14", c1x1_1024_256_14, 1024, 14, 256, 1, 14, KILN_NT, KILN_MCHUNKS};
#undef KILN_FN
#undef KILN_CIN
#undef KILN_H
#undef KILN_W
#undef KILN_COUT
#undef KILN_OH
#undef KILN_OW
#undef KILN_KH
#undef KILN_KW
#undef KILN_SH
#undef KILN_SW
#undef KILN_PH
#undef KILN_PW
#undef KILN_NT
#undef KILN_MCHUNKS

#define KILN_FN v1x1_1280_320_14
#define KILN_CIN 1280
#define KILN_H 14
#define KILN_W 14
#define KILN_COUT 320
#define KILN_OH 14
#define KILN_OW 14
#define KILN_KH 1
#define KILN_KW 1
#define KILN_SH 1
#define KILN_SW 1
#define KILN_PH 0
#define KILN_PW 0
#define KILN_NT NT_FOR(1280, 196)
#define KILN_MCHUNKS CHUNKS_FOR(320, 196, KILN_NT)
#include "../conv/conv2d_gemm.c"
static const shape v1x1_1280_320_14_shape = {"v1x1_1280_320_14", v1x1_1280_320_14, 1280, 14, 320, 1, 14, KILN_NT, KILN_MCHUNKS};
#undef KILN_FN
#undef KILN_CIN
#undef KILN_H
#undef KILN_W
#undef KILN_COUT
#undef KILN_OH
#undef KILN_OW
#undef KILN_KH
#undef KILN_KW
#undef KILN_SH
#undef KILN_SW
#undef KILN_PH
#undef KILN_PW
#undef KILN_NT
#undef KILN_MCHUNKS

#define KILN_FN v1x1_320_1280_14
#define KILN_CIN 320
#define KILN_H 14
#define KILN_W 14
#define KILN_COUT 1280
#define KILN_OH 14
#define KILN_OW 14
#define KILN_KH 1
#define KILN_KW 1
#define KILN_SH 1
#define KILN_SW 1
#define KILN_PH 0
#define KILN_PW 0
#define KILN_NT NT_FOR(320, 196)
#define KILN_MCHUNKS CHUNKS_FOR(1280, 196, KILN_NT)
#include "../conv/conv2d_gemm.c"
static const shape v1x1_320_1280_14_shape = {"v1x1_320_1280_14", v1x1_320_1280_14, 320, 14, 1280, 1, 14, KILN_NT, KILN_MCHUNKS};
#undef KILN_FN
#undef KILN_CIN
#undef KILN_H
#undef KILN_W
#undef KILN_COUT
#undef KILN_OH
#undef KILN_OW
#undef KILN_KH
#undef KILN_KW
#undef KILN_SH
#undef KILN_SW
#undef KILN_PH
#undef KILN_PW
#undef KILN_NT
#undef KILN_MCHUNKS

#define KILN_FN c3x3_256_256_14
#define KILN_CIN 256
#define KILN_H 14
#define KILN_W 14
#define KILN_COUT 256
#define KILN_OH 14
#define KILN_OW 14
#define KILN_KH 3
#define KILN_KW 3
#define KILN_SH 1
#define KILN_SW 1
#define KILN_PH 1
#define KILN_PW 1
#define KILN_NT NT_FOR(2304, 196)
#define KILN_MCHUNKS CHUNKS_FOR(256, 196, KILN_NT)
#include "../conv/conv2d_gemm.c"
static const shape c3x3_256_256_14_shape = {"c3x3_256_256_14", c3x3_256_256_14, 256, 14, 256, 3, 14, KILN_NT, KILN_MCHUNKS};
#undef KILN_FN
#undef KILN_CIN
#undef KILN_H
#undef KILN_W
#undef KILN_COUT
#undef KILN_OH
#undef KILN_OW
#undef KILN_KH
#undef KILN_KW
#undef KILN_SH
#undef KILN_SW
#undef KILN_PH
#undef KILN_PW
#undef KILN_NT
#undef KILN_MCHUNKS

#define KILN_FN c3x3_512_512_7
#define KILN_CIN 512
#define KILN_H 7
#define KILN_W 7
#define KILN_COUT 512
#define KILN_OH 7
#define KILN_OW 7
#define KILN_KH 3
#define KILN_KW 3
#define KILN_SH 1
#define KILN_SW 1
#define KILN_PH 1
#define KILN_PW 1
#define KILN_NT NT_FOR(4608, 49)
#define KILN_MCHUNKS CHUNKS_FOR(512, 49, KILN_NT)
#include "../conv/conv2d_gemm.c"
static const shape c3x3_512_512_7_shape = {"c3x3_512_512_7", c3x3_512_512_7, 512, 7, 512, 3, 7, KILN_NT, KILN_MCHUNKS};
#undef KILN_FN
#undef KILN_CIN
#undef KILN_H
#undef KILN_W
#undef KILN_COUT
#undef KILN_OH
#undef KILN_OW
#undef KILN_KH
#undef KILN_KW
#undef KILN_SH
#undef KILN_SW
#undef KILN_PH
#undef KILN_PW
#undef KILN_NT
#undef KILN_MCHUNKS

#define KILN_FN c1x1_512_2048_7
#define KILN_CIN 512
#define KILN_H 7
#define KILN_W 7
#define KILN_COUT 2048
#define KILN_OH 7
#define KILN_OW 7
#define KILN_KH 1
#define KILN_KW 1
#define KILN_SH 1
#define KILN_SW 1
#define KILN_PH 0
#define KILN_PW 0
#define KILN_NT NT_FOR(512, 49)
#define KILN_MCHUNKS CHUNKS_FOR(2048, 49, KILN_NT)
#include "../conv/conv2d_gemm.c"
static const shape c1x1_512_2048_7_shape = {"c1x1_512_2048_7", c1x1_512_2048_7, 512, 7, 2048, 1, 7, KILN_NT, KILN_MCHUNKS};
#undef KILN_FN
#undef KILN_CIN
#undef KILN_H
#undef KILN_W
#undef KILN_COUT
#undef KILN_OH
#undef KILN_OW
#undef KILN_KH
#undef KILN_KW
#undef KILN_SH
#undef KILN_SW
#undef KILN_PH
#undef KILN_PW
#undef KILN_NT
#undef KILN_MCHUNKS

#define KILN_FN c7x7s2_3_64_224
#define KILN_CIN 3
#define KILN_H 224
#define KILN_W 224
#define KILN_COUT 64
#define KILN_OH 112
#define KILN_OW 112
#define KILN_KH 7
#define KILN_KW 7
#define KILN_SH 2
#define KILN_SW 2
#define KILN_PH 3
#define KILN_PW 3
#define KILN_NT NT_FOR(147, 12544)
#define KILN_MCHUNKS CHUNKS_FOR(64, 12544, KILN_NT)
#include "../conv/conv2d_gemm.c"
static const shape c7x7s2_3_64_224_shape = {"c7x7s2_3_64_224", c7x7s2_3_64_224, 3, 224, 64, 7, 112, KILN_NT, KILN_MCHUNKS};
#undef KILN_FN
#undef KILN_CIN
#undef KILN_H
#undef KILN_W
#undef KILN_COUT
#undef KILN_OH
#undef KILN_OW
#undef KILN_KH
#undef KILN_KW
#undef KILN_SH
#undef KILN_SW
#undef KILN_PH
#undef KILN_PW
#undef KILN_NT
#undef KILN_MCHUNKS

/* The 3x3 stride-1 shapes again through Winograd F(4x4, 3x3) (conv2d_winograd.c); GFLOP/s
 * count the direct method's flops, so they compare with the rows above; NT shows TG. */
#ifndef BENCH_TG
#define BENCH_TG (32 / KILN_VL) /* tile blocks per group: 4 at VL 8, within the scratch at VL 16 */
#endif
#define KILN_FN w3x3_64_64_56
#define KILN_CIN 64
#define KILN_H 56
#define KILN_W 56
#define KILN_COUT 64
#define KILN_OH 56
#define KILN_OW 56
#define KILN_PH 1
#define KILN_PW 1
#define KILN_TG KILN_MIN(BENCH_TG, 13) /* tile blocks: 13 */
#include "../conv/conv2d_winograd.c"
static const shape w3x3_64_64_56_shape = {"w3x3_64_64_56", w3x3_64_64_56, 64, 56, 64, 3, 56, KILN_TG, 0};
#undef KILN_FN
#undef KILN_CIN
#undef KILN_H
#undef KILN_W
#undef KILN_COUT
#undef KILN_OH
#undef KILN_OW
#undef KILN_PH
#undef KILN_PW
#undef KILN_TG
#undef KILN_M

#define KILN_FN w3x3_128_128_28
#define KILN_CIN 128
#define KILN_H 28
#define KILN_W 28
#define KILN_COUT 128
#define KILN_OH 28
#define KILN_OW 28
#define KILN_PH 1
#define KILN_PW 1
#define KILN_TG KILN_MIN(BENCH_TG, 4) /* tile blocks: 4 */
#include "../conv/conv2d_winograd.c"
static const shape w3x3_128_128_28_shape = {"w3x3_128_128_28", w3x3_128_128_28, 128, 28, 128, 3, 28, KILN_TG, 0};
#undef KILN_FN
#undef KILN_CIN
#undef KILN_H
#undef KILN_W
#undef KILN_COUT
#undef KILN_OH
#undef KILN_OW
#undef KILN_PH
#undef KILN_PW
#undef KILN_TG
#undef KILN_M

#define KILN_FN w3x3_256_256_14
#define KILN_CIN 256
#define KILN_H 14
#define KILN_W 14
#define KILN_COUT 256
#define KILN_OH 14
#define KILN_OW 14
#define KILN_PH 1
#define KILN_PW 1
#define KILN_TG KILN_MIN(BENCH_TG, 1) /* tile blocks: 1 */
#include "../conv/conv2d_winograd.c"
static const shape w3x3_256_256_14_shape = {"w3x3_256_256_14", w3x3_256_256_14, 256, 14, 256, 3, 14, KILN_TG, 0};
#undef KILN_FN
#undef KILN_CIN
#undef KILN_H
#undef KILN_W
#undef KILN_COUT
#undef KILN_OH
#undef KILN_OW
#undef KILN_PH
#undef KILN_PW
#undef KILN_TG
#undef KILN_M

#define KILN_FN w3x3_512_512_7
#define KILN_CIN 512
#define KILN_H 7
#define KILN_W 7
#define KILN_COUT 512
#define KILN_OH 7
#define KILN_OW 7
#define KILN_PH 1
#define KILN_PW 1
#define KILN_TG KILN_MIN(BENCH_TG, 1) /* tile blocks: 1 */
#include "../conv/conv2d_winograd.c"
static const shape w3x3_512_512_7_shape = {"w3x3_512_512_7", w3x3_512_512_7, 512, 7, 512, 3, 7, KILN_TG, 0};
#undef KILN_FN
#undef KILN_CIN
#undef KILN_H
#undef KILN_W
#undef KILN_COUT
#undef KILN_OH
#undef KILN_OW
#undef KILN_PH
#undef KILN_PW
#undef KILN_TG
#undef KILN_M

/* F(2x2, 3x3) on the 7x7 map: 16 tiles of 2x2 fill one block. */
#define KILN_FN w2_3x3_512_512_7
#define KILN_CIN 512
#define KILN_H 7
#define KILN_W 7
#define KILN_COUT 512
#define KILN_OH 7
#define KILN_OW 7
#define KILN_PH 1
#define KILN_PW 1
#define KILN_TG 1
#define KILN_M 2
#include "../conv/conv2d_winograd.c"
static const shape w2_3x3_512_512_7_shape = {"w2_3x3_512_512_7", w2_3x3_512_512_7, 512, 7, 512, 3, 7, KILN_TG, 0};
#undef KILN_FN
#undef KILN_CIN
#undef KILN_H
#undef KILN_W
#undef KILN_COUT
#undef KILN_OH
#undef KILN_OW
#undef KILN_PH
#undef KILN_PW
#undef KILN_TG
#undef KILN_M

/* Channels along the lanes (KILN_CL) against the pixel-lane GEMM on 7x7 maps. */
#undef KILN_MR
#undef KILN_NR
#define KILN_MR (2 * KILN_VL)
#define KILN_NR 7
#undef KILN_CL
#define KILN_CL 1
#define KILN_FN cl1x1_512_2048_7
#define KILN_CIN 512
#define KILN_H 7
#define KILN_W 7
#define KILN_COUT 2048
#define KILN_OH 7
#define KILN_OW 7
#define KILN_KH 1
#define KILN_KW 1
#define KILN_SH 1
#define KILN_SW 1
#define KILN_PH 0
#define KILN_PW 0
#define KILN_NT 49
#define KILN_MCHUNKS BENCH_THREADS
#include "../conv/conv2d_gemm.c"
static const shape cl1x1_512_2048_7_shape = {"cl1x1_512_2048_7", cl1x1_512_2048_7, 512, 7, 2048, 1, 7, KILN_NT, KILN_MCHUNKS};
#undef KILN_FN
#undef KILN_CIN
#undef KILN_H
#undef KILN_W
#undef KILN_COUT
#undef KILN_OH
#undef KILN_OW
#undef KILN_KH
#undef KILN_KW
#undef KILN_SH
#undef KILN_SW
#undef KILN_PH
#undef KILN_PW
#undef KILN_NT
#undef KILN_MCHUNKS
#undef KILN_CL
#undef KILN_MR
#undef KILN_NR
#define KILN_MR BENCH_MR
#define KILN_NR BENCH_NR

#define KILN_FN c1x1_2048_512_7
#define KILN_CIN 2048
#define KILN_H 7
#define KILN_W 7
#define KILN_COUT 512
#define KILN_OH 7
#define KILN_OW 7
#define KILN_KH 1
#define KILN_KW 1
#define KILN_SH 1
#define KILN_SW 1
#define KILN_PH 0
#define KILN_PW 0
#define KILN_NT NT_FOR(2048, 49)
#define KILN_MCHUNKS CHUNKS_FOR(512, 49, KILN_NT)
#include "../conv/conv2d_gemm.c"
static const shape c1x1_2048_512_7_shape = {"c1x1_2048_512_7", c1x1_2048_512_7, 2048, 7, 512, 1, 7, KILN_NT, KILN_MCHUNKS};
#undef KILN_FN
#undef KILN_CIN
#undef KILN_H
#undef KILN_W
#undef KILN_COUT
#undef KILN_OH
#undef KILN_OW
#undef KILN_KH
#undef KILN_KW
#undef KILN_SH
#undef KILN_SW
#undef KILN_PH
#undef KILN_PW
#undef KILN_NT
#undef KILN_MCHUNKS

#undef KILN_MR
#undef KILN_NR
#define KILN_MR (2 * KILN_VL)
#define KILN_NR 7
#undef KILN_CL
#define KILN_CL 1
#define KILN_FN cl1x1_2048_512_7
#define KILN_CIN 2048
#define KILN_H 7
#define KILN_W 7
#define KILN_COUT 512
#define KILN_OH 7
#define KILN_OW 7
#define KILN_KH 1
#define KILN_KW 1
#define KILN_SH 1
#define KILN_SW 1
#define KILN_PH 0
#define KILN_PW 0
#define KILN_NT 49
#define KILN_MCHUNKS BENCH_THREADS
#include "../conv/conv2d_gemm.c"
static const shape cl1x1_2048_512_7_shape = {"cl1x1_2048_512_7", cl1x1_2048_512_7, 2048, 7, 512, 1, 7, KILN_NT, KILN_MCHUNKS};
#undef KILN_FN
#undef KILN_CIN
#undef KILN_H
#undef KILN_W
#undef KILN_COUT
#undef KILN_OH
#undef KILN_OW
#undef KILN_KH
#undef KILN_KW
#undef KILN_SH
#undef KILN_SW
#undef KILN_PH
#undef KILN_PW
#undef KILN_NT
#undef KILN_MCHUNKS
#undef KILN_CL
#undef KILN_MR
#undef KILN_NR
#define KILN_MR BENCH_MR
#define KILN_NR BENCH_NR

#undef KILN_MR
#undef KILN_NR
#define KILN_MR (2 * KILN_VL)
#define KILN_NR 7
#undef KILN_CL
#define KILN_CL 1
#define KILN_FN cl3x3_512_512_7
#define KILN_CIN 512
#define KILN_H 7
#define KILN_W 7
#define KILN_COUT 512
#define KILN_OH 7
#define KILN_OW 7
#define KILN_KH 3
#define KILN_KW 3
#define KILN_SH 1
#define KILN_SW 1
#define KILN_PH 1
#define KILN_PW 1
#define KILN_NT 49
#define KILN_MCHUNKS BENCH_THREADS
#include "../conv/conv2d_gemm.c"
static const shape cl3x3_512_512_7_shape = {"cl3x3_512_512_7", cl3x3_512_512_7, 512, 7, 512, 3, 7, KILN_NT, KILN_MCHUNKS};
#undef KILN_FN
#undef KILN_CIN
#undef KILN_H
#undef KILN_W
#undef KILN_COUT
#undef KILN_OH
#undef KILN_OW
#undef KILN_KH
#undef KILN_KW
#undef KILN_SH
#undef KILN_SW
#undef KILN_PH
#undef KILN_PW
#undef KILN_NT
#undef KILN_MCHUNKS
#undef KILN_CL
#undef KILN_MR
#undef KILN_NR
#define KILN_MR BENCH_MR
#define KILN_NR BENCH_NR

#define KILN_FN c3x3s2_256_512_14
#define KILN_CIN 256
#define KILN_H 14
#define KILN_W 14
#define KILN_COUT 512
#define KILN_OH 7
#define KILN_OW 7
#define KILN_KH 3
#define KILN_KW 3
#define KILN_SH 2
#define KILN_SW 2
#define KILN_PH 1
#define KILN_PW 1
#define KILN_NT NT_FOR(2304, 49)
#define KILN_MCHUNKS CHUNKS_FOR(512, 49, KILN_NT)
#include "../conv/conv2d_gemm.c"
static const shape c3x3s2_256_512_14_shape = {"c3x3s2_256_512_14", c3x3s2_256_512_14, 256, 14, 512, 3, 7, KILN_NT, KILN_MCHUNKS};
#undef KILN_FN
#undef KILN_CIN
#undef KILN_H
#undef KILN_W
#undef KILN_COUT
#undef KILN_OH
#undef KILN_OW
#undef KILN_KH
#undef KILN_KW
#undef KILN_SH
#undef KILN_SW
#undef KILN_PH
#undef KILN_PW
#undef KILN_NT
#undef KILN_MCHUNKS

#undef KILN_MR
#undef KILN_NR
#define KILN_MR (2 * KILN_VL)
#define KILN_NR 7
#undef KILN_CL
#define KILN_CL 1
#define KILN_FN cl3x3s2_256_512_14
#define KILN_CIN 256
#define KILN_H 14
#define KILN_W 14
#define KILN_COUT 512
#define KILN_OH 7
#define KILN_OW 7
#define KILN_KH 3
#define KILN_KW 3
#define KILN_SH 2
#define KILN_SW 2
#define KILN_PH 1
#define KILN_PW 1
#define KILN_NT 49
#define KILN_MCHUNKS BENCH_THREADS
#include "../conv/conv2d_gemm.c"
static const shape cl3x3s2_256_512_14_shape = {"cl3x3s2_256_512_14", cl3x3s2_256_512_14, 256, 14, 512, 3, 7, KILN_NT, KILN_MCHUNKS};
#undef KILN_FN
#undef KILN_CIN
#undef KILN_H
#undef KILN_W
#undef KILN_COUT
#undef KILN_OH
#undef KILN_OW
#undef KILN_KH
#undef KILN_KW
#undef KILN_SH
#undef KILN_SW
#undef KILN_PH
#undef KILN_PW
#undef KILN_NT
#undef KILN_MCHUNKS
#undef KILN_CL
#undef KILN_MR
#undef KILN_NR
#define KILN_MR BENCH_MR
#define KILN_NR BENCH_NR

static const shape* const shapes[] = {
    &c1x1_256_64_56_shape,
    &c1x1_64_256_56_shape,
    &c3x3_64_64_56_shape,
    &c3x3_128_128_28_shape,
    &c1x1_1024_256_14_shape,
    &v1x1_1280_320_14_shape, /* VAN-b1/b2 block3 MLP fc2, fc1 */
    &v1x1_320_1280_14_shape,
    &c3x3_256_256_14_shape,
    &c3x3_512_512_7_shape,
    &c1x1_512_2048_7_shape,
    &c7x7s2_3_64_224_shape,
    &w3x3_64_64_56_shape,
    &w3x3_128_128_28_shape,
    &w3x3_256_256_14_shape,
    &w3x3_512_512_7_shape,
    &w2_3x3_512_512_7_shape,
    &cl1x1_512_2048_7_shape,
    &c1x1_2048_512_7_shape,
    &cl1x1_2048_512_7_shape,
    &cl3x3_512_512_7_shape,
    &c3x3s2_256_512_14_shape,
    &cl3x3s2_256_512_14_shape,
};

/* Peak single-thread FMA throughput: 12 independent vector FMA chains, best of 20. */
static double fma_peak(void) {
    kiln_vf acc[12];
    for (int i = 0; i < 12; i++) acc[i] = kiln_vbroadcast(0.001f * i);
    const kiln_vf a = kiln_vbroadcast(0.999f), b = kiln_vbroadcast(0.0001f);
    const long iters = 1000000;
    double best = 1e30;
    for (int rep = 0; rep < 20; rep++) {
        const double t0 = now();
        for (long it = 0; it < iters; it++) {
            KILN_UNROLL
            for (int i = 0; i < 12; i++) acc[i] = kiln_vfma(acc[i], a, b);
        }
        const double t = now() - t0;
        if (t < best) best = t;
    }
    float s = 0;
    for (int i = 0; i < 12; i++) s += kiln_vsum(acc[i]);
    if (s == 12345.0f) printf("!");
    return 2.0 * KILN_VL * 12 * iters / best * 1e-9;
}

static int by_value(const void* a, const void* b) {
    const double x = *(const double*)a, y = *(const double*)b;
    return x < y ? -1 : x > y;
}

/* Both threads rewrite the n floats at x, as the layer before leaves a kernel's input:
 * dirty, half of it in the other core's cache. */
static void dirty(float* x, size_t n) {
    KILN_OMP_PARALLEL_FOR(schedule(static))
    for (size_t i = 0; i < n; i++) x[i] = x[i] * 1.0f + 0.0f;
}

/* Median time of single calls over ~0.3 s (the minimum flatters a shared machine's lucky
 * moments by 10-30%). BENCH_COLD >= 1: the weights rotate among copies (64 MiB in all) so
 * that they come from DRAM, as in a whole network; >= 2: the input and output rotate among
 * 8 copies (128 MiB each), in no cache; 3: the input is also dirty (dirty() above). */
static double bench(const shape* s, float* x, float* w, float* b, float* y, float* scratch) {
    const double flops = 2.0 * s->cout * s->ohw * s->ohw * s->cin * s->ks * s->ks;
    s->fn(x, w, b, NULL, y, scratch); /* warm up */
    enum { MAXCALLS = 4096 };
    static double times[MAXCALLS];
    int calls = 0;
    const double t0 = now();
    const size_t taps = s->chunks == 0 ? 36 : (size_t)s->ks * s->ks; /* Winograd: (m+2)^2 <= 36 */
    const size_t wsize = (size_t)s->cout * s->cin * taps + 4096;
    const int fit = (int)KILN_MIN((size_t)16, ((size_t)16 << 20) / wsize);
    const int copies = BENCH_COLD && fit > 1 ? fit : 1;
    for (int i = 0; calls < MAXCALLS && (i < 3 || now() - t0 < 0.3); i++) {
        const size_t at = BENCH_COLD >= 2 ? (size_t)(i % 8) * BENCH_ACT : 0;
        if (BENCH_COLD >= 3) dirty(x + at, (size_t)s->cin * s->hw * s->hw);
        const double t1 = now();
        s->fn(x + at, w + (size_t)(i % copies) * wsize, b, NULL, y + at, scratch);
        times[calls++] = now() - t1;
    }
    qsort(times, (size_t)calls, sizeof *times, by_value);
    return flops / times[calls / 2] * 1e-9;
}

int main(void) {
    int maxt = 1;
#ifdef _OPENMP
    maxt = omp_get_max_threads();
#endif
    const size_t big = BENCH_ACT, acts = BENCH_COLD >= 2 ? 8 * big : big;
    float* x = malloc(acts * sizeof(float));
    float* w = malloc(big * 4 * sizeof(float));
    float* b = malloc(4096 * sizeof(float));
    float* y = malloc(acts * sizeof(float));
    float* scratch = aligned_alloc(64, (size_t)maxt * KILN_SCRATCH_PER_THREAD * sizeof(float));
    if (!x || !w || !b || !y || !scratch) return 1;
    for (size_t i = 0; i < acts; i++) x[i] = y[i] = (float)(i % 17) * 0.01f - 0.08f;
    for (size_t i = 0; i < 4 * big; i++) w[i] = (float)(i % 13) * 0.001f - 0.006f;
    for (int i = 0; i < 4096; i++) b[i] = 0.01f;
    const double peak = fma_peak();
    printf("VL %d MR %d NR %d; measured 1-thread FMA peak %.1f GFLOP/s\n", KILN_VL, BENCH_MR, BENCH_NR, peak);
    /* Multi-thread figures are only meaningful on an otherwise idle machine. */
    enum { NS = sizeof shapes / sizeof *shapes };
    double g[NS][2] = {{0}};
    for (int t = BENCH_T1; t >= BENCH_T0; t--) {
        if (t > maxt) continue;
#ifdef _OPENMP
        omp_set_num_threads(t);
#endif
        for (int i = 0; i < NS; i++) g[i][t - 1] = bench(shapes[i], x, w, b, y, scratch);
    }
    printf("%-18s %5s %4s %3s %9s %9s %8s %8s\n", "shape", "K", "NT", "ch", "1t GF/s", "2t GF/s",
           "1t/peak", "2t/2peak");
    for (int i = 0; i < NS; i++) {
        const shape* s = shapes[i];
        printf("%-18s %5d %4d %3d %9.1f %9.1f %7.0f%% %7.0f%%\n", s->name, s->cin * s->ks * s->ks,
               s->nt, s->chunks, g[i][0], g[i][1], 100.0 * g[i][0] / peak, 50.0 * g[i][1] / peak);
    }
    free(x), free(w), free(b), free(y), free(scratch);
    return 0;
}
