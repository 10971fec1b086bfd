/* kiln_model.c — the model's entry points (kiln.h) around the generated kiln_forward().
 *
 * The generator pastes kiln_blob.c, then this file, after defining:
 *   KILN_MODEL_NAME         the model's name, a string literal
 *   KILN_WEIGHT_FLOATS      floats in the prepared weight buffer
 *   KILN_WEIGHTS_FINGERPRINT the weights layout this code reads (see kiln_blob.c)
 *   KILN_ARENA_FLOATS       floats of activation arena (planned by liveness)
 *   KILN_SCRATCH_PER_THREAD floats of per-thread scratch (im2col panels)
 *   KILN_INPUT_FLOATS, KILN_OUTPUT_FLOATS, KILN_INPUT_RANK, KILN_OUTPUT_RANK
 *   KILN_INPUT_DIMS, KILN_OUTPUT_DIMS  brace lists of the static shapes, e.g. {1, 3, 224, 224}
 *   KILN_EMBEDDED_BLOB, KILN_EMBEDDED_BLOB_BYTES  (only with embedded weights) the array
 *                           holding a weights file, defined in another translation unit
 * and a function
 *   static void kiln_forward(const float* w, float* arena, float* scratch, const float* in, float* out);
 * For `kiln emit --name P` every public kiln_ / KILN_ name here is renamed as in kiln.h.
 */
#ifndef KILN_COMMON_H
#include "../kiln_common.h"
#endif
#ifndef KILN_BLOB_C
#include "kiln_blob.c"
#endif
#include <stdlib.h>

#ifndef KILN_ARENA_FLOATS
#define KILN_MODEL_NAME "identity"
#define KILN_ARENA_FLOATS 1
#define KILN_INPUT_FLOATS 16
#define KILN_OUTPUT_FLOATS 16
#define KILN_INPUT_RANK 1
#define KILN_OUTPUT_RANK 1
#define KILN_INPUT_DIMS {16}
#define KILN_OUTPUT_DIMS {16}
static void kiln_forward(const float* w, float* arena, float* scratch, const float* in, float* out) {
    (void)arena; (void)scratch;
    for (int i = 0; i < 16; i++) out[i] = in[i] * w[i];
}
#endif

#ifdef _OPENMP
/* Declared here, as in kiln_common.h, so that no omp.h include path is needed. */
int omp_get_max_threads(void);
void omp_set_num_threads(int);
#endif

struct kiln_ctx {
    const float* weights;
    kiln_blob_file file; /* the mapped or read weights file, if the context owns one */
    float* owned_weights; /* an aligned copy of a caller's misaligned buffer */
    float* arena;
    float* scratch;
    int threads;
};

/* Rounds a float count up to whole 64-byte lines, as aligned_alloc requires. */
static void* kiln_alloc_floats(size_t floats) {
    size_t bytes = (floats * sizeof(float) + 63) / 64 * 64;
    return aligned_alloc(64, bytes ? bytes : 64);
}

kiln_status kiln_set_threads(kiln_ctx* ctx, int threads) {
    if (!ctx) return kiln_fail(KILN_ERR_ARGUMENT, "kiln_set_threads: the context is NULL");
    if (threads < 1) return kiln_fail(KILN_ERR_ARGUMENT, "kiln_set_threads: %d threads; use at least 1", threads);
#ifndef _OPENMP
    threads = 1;
#endif
    float* scratch = kiln_alloc_floats((size_t)threads * KILN_SCRATCH_PER_THREAD);
    if (!scratch)
        return kiln_fail(KILN_ERR_NOMEM, "cannot allocate scratch for %d threads (%zu bytes)", threads,
                         (size_t)threads * KILN_SCRATCH_PER_THREAD * sizeof(float));
    free(ctx->scratch);
    ctx->scratch = scratch;
    ctx->threads = threads;
    return KILN_OK;
}

int kiln_get_threads(const kiln_ctx* ctx) { return ctx ? ctx->threads : 0; }

void kiln_free(kiln_ctx* ctx) {
    if (!ctx) return;
    kiln_blob_release(&ctx->file);
    free(ctx->owned_weights);
    free(ctx->arena);
    free(ctx->scratch);
    free(ctx);
}

/* A context on `weights`; takes ownership of `file` and `owned` even when it fails. */
static kiln_status kiln_ctx_new(const float* weights, kiln_blob_file* file, float* owned, kiln_ctx** out) {
    kiln_ctx* ctx = calloc(1, sizeof *ctx);
    if (!ctx) {
        if (file) kiln_blob_release(file);
        free(owned);
        return kiln_fail(KILN_ERR_NOMEM, "cannot allocate a context");
    }
    ctx->weights = weights;
    if (file) ctx->file = *file;
    ctx->owned_weights = owned;
    ctx->arena = kiln_alloc_floats(KILN_ARENA_FLOATS);
    int threads = 1;
#ifdef _OPENMP
    threads = omp_get_max_threads();
#endif
    if (!ctx->arena) {
        kiln_free(ctx);
        return kiln_fail(KILN_ERR_NOMEM, "cannot allocate the activation arena (%zu bytes)",
                         (size_t)KILN_ARENA_FLOATS * sizeof(float));
    }
    const kiln_status status = kiln_set_threads(ctx, threads);
    if (status != KILN_OK) {
        kiln_free(ctx);
        return status;
    }
    kiln_clear_error();
    *out = ctx;
    return KILN_OK;
}

kiln_status kiln_create_from_file(const char* path, kiln_ctx** ctx) {
    if (!ctx) return kiln_fail(KILN_ERR_ARGUMENT, "kiln_create_from_file: the context pointer is NULL");
    *ctx = NULL;
    if (!path) return kiln_fail(KILN_ERR_ARGUMENT, "kiln_create_from_file: the path is NULL");
    kiln_blob_file file;
    kiln_status status = kiln_blob_load(path, &file);
    if (status != KILN_OK) return status;
    char what[256];
    snprintf(what, sizeof what, "weights file '%s'", path);
    const float* data = NULL;
    status = kiln_blob_check(kiln_blob_bytes(&file), file.bytes, what, &data);
    if (status != KILN_OK) {
        kiln_blob_release(&file);
        return status;
    }
    return kiln_ctx_new(data, &file, NULL, ctx);
}

kiln_status kiln_create_from_memory(const void* data, size_t bytes, kiln_ctx** ctx) {
    if (!ctx) return kiln_fail(KILN_ERR_ARGUMENT, "kiln_create_from_memory: the context pointer is NULL");
    *ctx = NULL;
    if (!data) return kiln_fail(KILN_ERR_ARGUMENT, "kiln_create_from_memory: the buffer is NULL");
    const float* floats = NULL;
    const kiln_status status = kiln_blob_check(data, bytes, "the weights buffer", &floats);
    if (status != KILN_OK) return status;
    if ((uintptr_t)floats % 64 == 0) return kiln_ctx_new(floats, NULL, NULL, ctx);
    /* Misaligned (e.g. inside a language runtime's byte string): copy to aligned memory. */
    float* copy = kiln_alloc_floats(KILN_WEIGHT_FLOATS);
    if (!copy) return kiln_fail(KILN_ERR_NOMEM, "cannot allocate %zu bytes to align the weights",
                                (size_t)KILN_WEIGHT_FLOATS * sizeof(float));
    memcpy(copy, floats, (size_t)KILN_WEIGHT_FLOATS * sizeof(float));
    return kiln_ctx_new(copy, NULL, copy, ctx);
}

#ifdef KILN_EMBEDDED_BLOB
extern const unsigned char KILN_EMBEDDED_BLOB[];
#endif

kiln_status kiln_create_embedded(kiln_ctx** ctx) {
    if (!ctx) return kiln_fail(KILN_ERR_ARGUMENT, "kiln_create_embedded: the context pointer is NULL");
    *ctx = NULL;
#ifdef KILN_EMBEDDED_BLOB
    return kiln_create_from_memory(KILN_EMBEDDED_BLOB, KILN_EMBEDDED_BLOB_BYTES, ctx);
#else
    return kiln_fail(KILN_ERR_ARGUMENT, "model '%s' was emitted without --embed-weights; load its weights file",
                     KILN_MODEL_NAME);
#endif
}

kiln_ctx* kiln_create(const float* weights, size_t weight_floats) {
    if (!weights || weight_floats != (size_t)KILN_WEIGHT_FLOATS) {
        kiln_fail(KILN_ERR_SIZE, "kiln_create: expected %zu prepared floats, got %zu%s", (size_t)KILN_WEIGHT_FLOATS,
                  weight_floats, weights ? "" : " at NULL");
        return NULL;
    }
    kiln_ctx* ctx = NULL;
    return kiln_ctx_new(weights, NULL, NULL, &ctx) == KILN_OK ? ctx : NULL;
}

kiln_status kiln_run(kiln_ctx* ctx, const float* input, float* output) {
    if (!ctx || !input || !output)
        return kiln_fail(KILN_ERR_ARGUMENT, "kiln_run: the %s is NULL", !ctx ? "context" : !input ? "input" : "output");
#ifdef _OPENMP
    omp_set_num_threads(ctx->threads);
#endif
    kiln_forward(ctx->weights, ctx->arena, ctx->scratch, input, output);
    return KILN_OK;
}

const char* kiln_last_error(void) { return kiln_error_text; }

const char* kiln_status_name(kiln_status status) {
    static const char* const names[] = {"KILN_OK", "KILN_ERR_ARGUMENT", "KILN_ERR_IO", "KILN_ERR_FORMAT",
                                        "KILN_ERR_VERSION", "KILN_ERR_SIZE", "KILN_ERR_MODEL",
                                        "KILN_ERR_CHECKSUM", "KILN_ERR_NOMEM"};
    const unsigned i = (unsigned)status;
    return i < sizeof names / sizeof names[0] ? names[i] : "unknown status";
}

static const int64_t kiln_input_dims[] = KILN_INPUT_DIMS;
static const int64_t kiln_output_dims[] = KILN_OUTPUT_DIMS;

const char* kiln_model_name(void) { return KILN_MODEL_NAME; }
int kiln_input_rank(void) { return KILN_INPUT_RANK; }
const int64_t* kiln_input_shape(void) { return kiln_input_dims; }
int kiln_output_rank(void) { return KILN_OUTPUT_RANK; }
const int64_t* kiln_output_shape(void) { return kiln_output_dims; }
size_t kiln_input_floats(void) { return KILN_INPUT_FLOATS; }
size_t kiln_output_floats(void) { return KILN_OUTPUT_FLOATS; }
size_t kiln_arena_bytes(void) { return (size_t)KILN_ARENA_FLOATS * sizeof(float); }
size_t kiln_weight_floats(void) { return KILN_WEIGHT_FLOATS; }
