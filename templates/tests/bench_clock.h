/* bench_clock.h — what the kernel benches share: a monotonic clock in seconds, and escape(),
 * which keeps the compiler from dropping a kernel's stores that nothing reads. Define
 * _POSIX_C_SOURCE 200809L before any include. */
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static inline void escape(void* p) { __asm__ volatile("" : : "r"(p) : "memory"); }
