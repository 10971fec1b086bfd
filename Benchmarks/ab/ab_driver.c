/* ab_driver.c — runs two emitted libraries of one model (prefixes ma_ and mb_) alternately in
 * one process, the order flipped every pair, and prints both medians and the median of the
 * per-pair time ratios B/A. Built and run by ab_network.sh; see Benchmarks/README.md. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "ma.h"
#include "mb.h"

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int by_value(const void* a, const void* b) {
    const double x = *(const double*)a, y = *(const double*)b;
    return x < y ? -1 : x > y;
}

static double median(double* v, int n) {
    qsort(v, (size_t)n, sizeof *v, by_value);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

int main(int argc, char** argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s PAIRS THREADS A.weights B.weights\n", argv[0]);
        return 2;
    }
    const int pairs = atoi(argv[1]), threads = atoi(argv[2]);
    ma_ctx* a = NULL;
    mb_ctx* b = NULL;
    if (pairs < 1 || ma_create_from_file(argv[3], &a) != MA_OK || mb_create_from_file(argv[4], &b) != MB_OK ||
        ma_set_threads(a, threads) != MA_OK || mb_set_threads(b, threads) != MB_OK) {
        fprintf(stderr, "ab_driver: %s %s\n", ma_last_error(), mb_last_error());
        return 1;
    }
    const size_t ni = ma_input_floats(), no = ma_output_floats();
    float* in = malloc(ni * sizeof *in);
    float* oa = malloc(no * sizeof *oa);
    float* ob = malloc(no * sizeof *ob);
    double* ta = malloc((size_t)pairs * sizeof *ta);
    double* tb = malloc((size_t)pairs * sizeof *tb);
    double* ratio = malloc((size_t)pairs * sizeof *ratio);
    if (!in || !oa || !ob || !ta || !tb || !ratio) return 1;
    for (size_t i = 0; i < ni; i++) in[i] = (float)(i * 7919 % 1000) / 1000.0f - 0.5f;
    for (int w = 0; w < 3; w++) ma_run(a, in, oa), mb_run(b, in, ob);
    for (int i = 0; i < pairs; i++) {
        const double t0 = now();
        if (i & 1) mb_run(b, in, ob); else ma_run(a, in, oa);
        const double t1 = now();
        if (i & 1) ma_run(a, in, oa); else mb_run(b, in, ob);
        const double t2 = now();
        ta[i] = i & 1 ? t2 - t1 : t1 - t0;
        tb[i] = i & 1 ? t1 - t0 : t2 - t1;
        ratio[i] = tb[i] / ta[i];
    }
    double diff = 0.0;
    for (size_t i = 0; i < no; i++) {
        const double d = oa[i] > ob[i] ? oa[i] - ob[i] : ob[i] - oa[i];
        if (d > diff) diff = d;
    }
    const double ma = median(ta, pairs) * 1e3, mb = median(tb, pairs) * 1e3;
    printf("%d pairs: A %.2f ms, B %.2f ms (medians); B/A %.3f of medians, %.3f median per pair; max |A-B| %.1e\n",
           pairs, ma, mb, mb / ma, median(ratio, pairs), diff);
    ma_free(a), mb_free(b);
    free(in), free(oa), free(ob), free(ta), free(tb), free(ratio);
    return 0;
}
