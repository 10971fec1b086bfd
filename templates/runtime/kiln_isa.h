/* kiln_isa.h — picks the vector width from the C compiler's target flags, and whether the
 * forward pass may switch to AVX2 code at run time.
 *
 * Code that `kiln emit` writes by default is portable: it does not fix KILN_VL, so the
 * same C builds for any x86-64 or AArch64 target and uses what the compile flags enable.
 * `-O3` alone gives SSE2 (x86-64) or NEON (AArch64) code, `-O3 -march=native` the host's
 * widest vectors. The GEMM register tile is scheduled for 16 columns, a multiple of every
 * width chosen here. Pasted before kiln_common.h; a -DKILN_VL=N on the command line wins.
 *
 * Run-time dispatch (x86-64): the emitted Makefile and CMakeLists.txt also compile every part
 * a second time with -mavx2 -mfma (src/partNN_avx2.c) and define KILN_AVX2_VARIANT for all
 * units. kiln_forward then runs those parts only on a CPU (and OS) that has AVX2 and FMA,
 * so the default build is fast on current CPUs and still never executes an instruction an
 * older CPU lacks. When the flags already enable AVX2 there is nothing to switch to.
 */
#ifndef KILN_ISA_H
#define KILN_ISA_H
#ifndef KILN_VL
#if defined(__AVX512F__)
#define KILN_VL 16
#elif defined(__AVX__)
#define KILN_VL 8
#else
#define KILN_VL 4 /* SSE2, NEON, or the compiler's generic lowering */
#endif
#endif

#if defined(KILN_AVX2_VARIANT) && !defined(__AVX2__) && defined(__x86_64__) && defined(__GNUC__)
#define KILN_DISPATCH_AVX2 1
/* True on a CPU with AVX2 and FMA whose OS saves the AVX registers (libgcc checks XCR0). */
static inline int kiln_cpu_has_avx2(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
#else
#define KILN_DISPATCH_AVX2 0
#endif
#endif /* KILN_ISA_H */
