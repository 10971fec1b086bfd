/* bench_depthwise.c — times conv2d_depthwise on VAN's shapes, one thread, warm, and prints
 * the time and GFLOP/s (2 flops a tap). Not run by check.sh. Build, e.g.:
 *   clang -std=c11 -O3 -march=native -DKILN_VL=16 bench_depthwise.c -o bench_dw -lm && ./bench_dw
 * (docs/DESIGN.md quotes it, against the kernel before the row bands, for the depthwise rows.) */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include "../kiln_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench_clock.h"

typedef void (*dw_fn)(const float*, const float*, const float*, const float*, float*, float*);
typedef struct { const char* name; dw_fn fn; int c, hw, k, dil; } shape;
#define STR2(x) #x
#define STR(x) STR2(x)

/* The instances (bench_depthwise_instance.h pastes the template for DW_CASE: name, channels,
 * map size, kernel size, dilation, activation; stride 1, "same" padding, bias). */
#define DW_CASE dw5_64_56, 64, 56, 5, 1, 0
#include "bench_depthwise_instance.h"
#define DW_CASE dw5_128_28, 128, 28, 5, 1, 0
#include "bench_depthwise_instance.h"
#define DW_CASE dw5_320_14, 320, 14, 5, 1, 0
#include "bench_depthwise_instance.h"
#define DW_CASE dw5_512_7, 512, 7, 5, 1, 0
#include "bench_depthwise_instance.h"
#define DW_CASE dw7d3_64_56, 64, 56, 7, 3, 0
#include "bench_depthwise_instance.h"
#define DW_CASE dw7d3_128_28, 128, 28, 7, 3, 0
#include "bench_depthwise_instance.h"
#define DW_CASE dw7d3_320_14, 320, 14, 7, 3, 0
#include "bench_depthwise_instance.h"
#define DW_CASE dw7d3_512_7, 512, 7, 7, 3, 0
#include "bench_depthwise_instance.h"
#define DW_CASE dw3gelu_1280_14, 1280, 14, 3, 1, 3
#include "bench_depthwise_instance.h"
#define DW_CASE dw3gelu_2048_7, 2048, 7, 3, 1, 3
#include "bench_depthwise_instance.h"

static const shape* shapes[] = {&dw5_64_56_shape,    &dw5_128_28_shape,      &dw5_320_14_shape,
                                &dw5_512_7_shape,    &dw7d3_64_56_shape,     &dw7d3_128_28_shape,
                                &dw7d3_320_14_shape, &dw7d3_512_7_shape, &dw3gelu_1280_14_shape, &dw3gelu_2048_7_shape};

int main(void) {
    float* scratch = aligned_alloc(64, (size_t)KILN_SCRATCH_PER_THREAD * sizeof(float));
    printf("VL %d, one thread, warm; best of 30 rounds of 10 calls\n%-18s %10s %9s\n", KILN_VL, "shape", "us", "GFLOP/s");
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        const shape* sh = shapes[s];
        const size_t n = (size_t)sh->c * sh->hw * sh->hw, nw = (size_t)sh->c * sh->k * sh->k;
        float *x = malloc(n * sizeof(float)), *y = malloc(n * sizeof(float)), *w = malloc(nw * sizeof(float)),
              *b = malloc((size_t)sh->c * sizeof(float));
        for (size_t i = 0; i < n; i++) x[i] = (float)(i * 2654435761u % 1000) / 1000.0f - 0.5f;
        for (size_t i = 0; i < nw; i++) w[i] = (float)(i % 7) / 7.0f - 0.4f;
        for (int i = 0; i < sh->c; i++) b[i] = 0.01f * (float)i;
        double best = 1e9;
        for (int round = 0; round < 30; round++) {
            const double t0 = now();
            for (int call = 0; call < 10; call++) sh->fn(x, w, b, NULL, y, scratch), escape(y);
            const double t = (now() - t0) / 10;
            if (t < best) best = t;
        }
        double sum = 0;
        for (size_t i = 0; i < n; i++) sum += (double)y[i] * (double)((i % 13) + 1);
        printf("%-18s %10.1f %9.1f   checksum %.9g\n", sh->name, best * 1e6, 2.0 * (double)n * sh->k * sh->k / best / 1e9, sum);
        free(x), free(y), free(w), free(b);
    }
    free(scratch);
    return 0;
}
