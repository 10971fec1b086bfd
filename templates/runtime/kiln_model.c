/* kiln_model.c — the model's entry points around the generated kiln_forward().
 *
 * The generator defines, before pasting this file:
 *   KILN_WEIGHT_FLOATS      floats in the prepared weight buffer the caller passes in
 *   KILN_ARENA_FLOATS       floats of activation arena (planned by liveness)
 *   KILN_SCRATCH_PER_THREAD floats of per-thread scratch (im2col panels)
 *   KILN_INPUT_FLOATS, KILN_OUTPUT_FLOATS
 *   KILN_INPUT_DIMS, KILN_OUTPUT_DIMS  brace lists of the static shapes, e.g. {1, 3, 224, 224}
 * and a function
 *   static void kiln_forward(const float* w, float* arena, float* scratch, const float* in, float* out);
 *
 * A context owns the arena and scratch, so two contexts may run at once on different
 * threads; one context must not be used by two threads at the same time.
 */
#ifndef KILN_COMMON_H
#include "../kiln_common.h"
#endif
#include <stdlib.h>

#ifndef KILN_WEIGHT_FLOATS
#define KILN_WEIGHT_FLOATS 1
#define KILN_ARENA_FLOATS 1
#define KILN_INPUT_FLOATS 1
#define KILN_OUTPUT_FLOATS 1
#define KILN_INPUT_DIMS {1}
#define KILN_OUTPUT_DIMS {1}
static void kiln_forward(const float* w, float* arena, float* scratch, const float* in, float* out) {
    (void)w; (void)arena; (void)scratch;
    out[0] = in[0];
}
#endif

#ifdef _OPENMP
#include <omp.h>
#endif

typedef struct kiln_ctx {
    const float* weights;
    float* arena;
    float* scratch;
    int threads;
} kiln_ctx;

/* Rounds a float count up to whole 64-byte lines, as aligned_alloc requires. */
static void* kiln_alloc_floats(size_t floats) {
    size_t bytes = (floats * sizeof(float) + 63) / 64 * 64;
    return aligned_alloc(64, bytes ? bytes : 64);
}

int kiln_set_threads(kiln_ctx* ctx, int threads) {
    if (!ctx || threads < 1) return -1;
#ifndef _OPENMP
    threads = 1;
#endif
    float* scratch = kiln_alloc_floats((size_t)threads * KILN_SCRATCH_PER_THREAD);
    if (!scratch) return -2;
    free(ctx->scratch);
    ctx->scratch = scratch;
    ctx->threads = threads;
    return 0;
}

kiln_ctx* kiln_create(const float* weights, size_t weight_floats) {
    if (!weights || weight_floats != (size_t)KILN_WEIGHT_FLOATS) return NULL;
    kiln_ctx* ctx = calloc(1, sizeof *ctx);
    if (!ctx) return NULL;
    ctx->weights = weights;
    ctx->arena = kiln_alloc_floats(KILN_ARENA_FLOATS);
    int threads = 1;
#ifdef _OPENMP
    threads = omp_get_max_threads();
#endif
    if (!ctx->arena || kiln_set_threads(ctx, threads) != 0) {
        free(ctx->arena);
        free(ctx);
        return NULL;
    }
    return ctx;
}

int kiln_run(kiln_ctx* ctx, const float* input, float* output) {
    if (!ctx || !input || !output) return -1;
#ifdef _OPENMP
    omp_set_num_threads(ctx->threads);
#endif
    kiln_forward(ctx->weights, ctx->arena, ctx->scratch, input, output);
    return 0;
}

void kiln_free(kiln_ctx* ctx) {
    if (!ctx) return;
    free(ctx->arena);
    free(ctx->scratch);
    free(ctx);
}

size_t kiln_weight_floats(void) { return KILN_WEIGHT_FLOATS; }
size_t kiln_arena_bytes(void) { return (size_t)KILN_ARENA_FLOATS * sizeof(float); }
size_t kiln_input_floats(void) { return KILN_INPUT_FLOATS; }
size_t kiln_output_floats(void) { return KILN_OUTPUT_FLOATS; }
