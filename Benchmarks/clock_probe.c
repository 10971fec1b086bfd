/* Benchmarks/clock_probe.c: the clock the cores really run at, and their float32 FMA rate.
 *
 * `kiln bench` builds it (`cc -O2 -march=native -pthread`) and runs `clock_probe THREADS`, so
 * that "% of peak" is measured against the clock the cores run at under load, not the base
 * clock /proc/cpuinfo shows in a VM (e.g. 2.45 GHz where the cores run at 3.24).
 *
 * Clock: a chain of dependent integer adds retires one add per cycle on every x86-64 and
 * AArch64 core, so GHz = adds / ns. (The loop counter runs beside the chain on other ports.)
 * FMA: 12 independent vfmadd231ps chains on the widest vectors -march=native allows (AVX2
 * ymm, AVX-512 zmm), enough to cover 2 pipes x 4-6 cycles of latency. So on a CPU that
 * splits 512-bit FMAs in two (Zen 4), the figure shows it.
 * Each figure is the best of TRIALS trials of about 1 ms: on a shared machine a short
 * trial often runs undisturbed, and being preempted only ever makes a trial slower.
 * THREADS threads run the probe at once, so the clock is the one with that many cores busy.
 *
 * Prints `ghz G` and `fma_gflops F` (per thread, the best thread's); 0 where this file
 * has no assembly for the CPU (the clock: x86-64 and AArch64; FMA: x86-64 AVX2 and AVX-512).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define TRIALS 200
#define CHAIN_ITERS 150000L /* x 20 adds = 3e6 cycles, ~1 ms at 3 GHz */
#define FMA_ITERS 300000L   /* x 12 FMAs = 1.8e6 cycles on 2 pipes */

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

#if defined(__x86_64__)
#define ADD1 "add $1, %0\n\t"
#elif defined(__aarch64__)
#define ADD1 "add %0, %0, #1\n\t"
#endif
#define ADD5 ADD1 ADD1 ADD1 ADD1 ADD1

/* Cycles per second of one core, from a dependent add chain. */
static double clock_hz(void) {
#ifdef ADD1
    double best = 1e30;
    long x = 0;
    for (int t = 0; t < TRIALS; t++) {
        double t0 = now();
        for (long i = 0; i < CHAIN_ITERS; i++) __asm__ volatile(ADD5 ADD5 ADD5 ADD5 : "+r"(x));
        double dt = now() - t0;
        if (dt < best) best = dt;
    }
    return x > 0 ? 20.0 * (double)CHAIN_ITERS / best : 0;
#else
    return 0;
#endif
}

/* Float32 flops per second of one core issuing independent FMAs, or 0 if this ISA has no
 * probe. In assembly: C compilers drop or spill accumulators of a loop like this one. */
static double fma_flops(void) {
#if defined(__AVX512F__)
#define VREG "zmm"
#define LANES 16
#elif defined(__AVX2__) && defined(__FMA__)
#define VREG "ymm"
#define LANES 8
#endif
#ifdef VREG
#define FMA1(i) "vfmadd231ps %%" VREG "14, %%" VREG "15, %%" VREG #i "\n\t"
#define ZERO(i) "vxorps %%" VREG #i ", %%" VREG #i ", %%" VREG #i "\n\t"
    double best = 1e30;
    for (int t = 0; t < TRIALS; t++) {
        /* zeros stay zeros: no denormal or NaN slow paths */
        __asm__ volatile(ZERO(0) ZERO(1) ZERO(2) ZERO(3) ZERO(4) ZERO(5) ZERO(6) ZERO(7)
                         ZERO(8) ZERO(9) ZERO(10) ZERO(11) ZERO(14) ZERO(15)
                         ::: "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
                         "xmm8", "xmm9", "xmm10", "xmm11", "xmm14", "xmm15");
        double t0 = now();
        for (long i = 0; i < FMA_ITERS; i++)
            __asm__ volatile(FMA1(0) FMA1(1) FMA1(2) FMA1(3) FMA1(4) FMA1(5) FMA1(6) FMA1(7)
                             FMA1(8) FMA1(9) FMA1(10) FMA1(11)
                             ::: "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
                             "xmm8", "xmm9", "xmm10", "xmm11", "xmm14", "xmm15");
        double dt = now() - t0;
        if (dt < best) best = dt;
    }
    __asm__ volatile("vzeroupper");
    return 12.0 * 2.0 * LANES * (double)FMA_ITERS / best;
#else
    return 0;
#endif
}

typedef struct { double hz, flops; } result;

static void *probe(void *arg) {
    result *r = arg;
    r->hz = clock_hz();
    r->flops = fma_flops();
    return NULL;
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 1;
    if (n < 1 || n > 1024) n = 1;
    pthread_t *threads = calloc((size_t)n, sizeof *threads);
    result *results = calloc((size_t)n, sizeof *results);
    if (!threads || !results) return 1;
    for (int i = 0; i < n; i++) pthread_create(&threads[i], NULL, probe, &results[i]);
    double hz = 0, flops = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(threads[i], NULL);
        if (results[i].hz > hz) hz = results[i].hz;
        if (results[i].flops > flops) flops = results[i].flops;
    }
    printf("ghz %.3f\nfma_gflops %.2f\n", hz / 1e9, flops / 1e9);
    free(threads);
    free(results);
    return 0;
}
