/* bench_winograd.c — times one conv2d_winograd layer on one thread, warm, phase by phase (the
 * input transform, the GEMMs, the output transform) and whole. Not run by check.sh. One shape
 * a build (defaults: ResNet-50's 56x56 layer); ResNet-50's four, at 16 lanes:
 *   for s in "64 56 6 32 4" "128 28 6 32 4" "256 14 12 16 4" "512 7 12 16 2"; do set -- $s
 *     clang -std=c11 -O3 -march=native -DKILN_VL=16 -DBENCH_C=$1 -DBENCH_HW=$2 -DKILN_MR=$3 \
 *       -DKILN_NR=$4 -DKILN_M=$5 bench_winograd.c -o bench_wg -lm && ./bench_wg; done */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#define KILN_SCRATCH_PER_THREAD (4 << 20)
#include "../kiln_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench_clock.h"

#ifndef BENCH_C
#define BENCH_C 64
#endif
#ifndef BENCH_HW
#define BENCH_HW 56
#endif
#define KILN_FN wg
#define KILN_N 1
#define KILN_CIN BENCH_C
#define KILN_COUT BENCH_C
#define KILN_H BENCH_HW
#define KILN_W BENCH_HW
#define KILN_PH 1
#define KILN_PW 1
#define KILN_HAS_BIAS 1
#define KILN_ACT 1
#ifndef KILN_TG
#define KILN_TG 1
#endif
#include "../conv/conv2d_winograd.c"
#define XI ((KILN_M + 2) * (KILN_M + 2))
#define TILES (((BENCH_HW + KILN_M - 1) / KILN_M) * ((BENCH_HW + KILN_M - 1) / KILN_M))
#define BLOCKS ((TILES + KILN_NR - 1) / KILN_NR)
#define LDV (KILN_TG * KILN_NR + 2 * KILN_VL) /* the template's KWG_LDV */

int main(void) {
    const size_t n = (size_t)BENCH_C * BENCH_HW * BENCH_HW, nu = (size_t)XI * BENCH_C * (BENCH_C + KILN_MR);
    float *x = malloc(n * sizeof(float)), *y = malloc(n * sizeof(float)), *u = malloc(nu * sizeof(float)),
          *b = malloc(BENCH_C * sizeof(float)), *scratch = aligned_alloc(64, (size_t)KILN_SCRATCH_PER_THREAD * sizeof(float));
    for (size_t i = 0; i < n; i++) x[i] = (float)(i * 2654435761u % 1000) / 1000.0f - 0.5f;
    for (size_t i = 0; i < nu; i++) u[i] = 0.01f;
    for (int i = 0; i < BENCH_C; i++) b[i] = 0.1f;
    float *vbuf = scratch, *mbuf = scratch + (size_t)XI * BENCH_C * LDV;
    double best[4] = {1e9, 1e9, 1e9, 1e9};
    for (int round = 0; round < 20; round++) {
        double t[3] = {0, 0, 0};
        for (int b0 = 0; b0 < BLOCKS; b0 += KILN_TG) { /* as the kernel's private-group path does */
            const int nb = KILN_MIN(KILN_TG, BLOCKS - b0), g0 = b0 * KILN_NR, gn = KILN_MIN(KILN_TG * KILN_NR, TILES - g0);
            const double t0 = now();
            for (int c = 0; c < BENCH_C; c++) wg_input(x, c, g0, gn, vbuf);
            escape(vbuf);
            const double t1 = now();
            for (int xi = 0; xi < XI; xi++)
                for (int blk = 0; blk < nb; blk++) wg_gemm(xi, b0, blk, u, vbuf, mbuf);
            escape(mbuf);
            const double t2 = now();
            for (int m = 0; m < BENCH_C; m++) wg_output(mbuf, m, g0, gn, b, NULL, y);
            escape(y);
            t[0] += t1 - t0, t[1] += t2 - t1, t[2] += now() - t2;
        }
        const double s = now();
        wg(x, u, b, NULL, y, scratch);
        escape(y);
        const double whole = now() - s;
        for (int i = 0; i < 3; i++)
            if (t[i] < best[i]) best[i] = t[i];
        if (whole < best[3]) best[3] = whole;
    }
    printf("C %d, %dx%d, F(%dx%d), MR %d NR %d TG %d, VL %d: input %.1f us, GEMMs %.1f us, output %.1f us; whole %.1f us\n",
           BENCH_C, BENCH_HW, BENCH_HW, KILN_M, KILN_M, KILN_MR, KILN_NR, KILN_TG, KILN_VL, best[0] * 1e6, best[1] * 1e6,
           best[2] * 1e6, best[3] * 1e6);
    free(x), free(y), free(u), free(b), free(scratch);
    return 0;
}
