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

static const int64_t kiln_input_dims[] = KILN_INPUT_DIMS;
static const int64_t kiln_output_dims[] = KILN_OUTPUT_DIMS;

kiln_status kiln_run(kiln_ctx* ctx, const float* input, float* output) {
    if (!ctx || !input || !output)
        return kiln_fail(KILN_ERR_ARGUMENT, "kiln_run: the %s is NULL", !ctx ? "context" : !input ? "input" : "output");
#ifdef _OPENMP
    omp_set_num_threads(ctx->threads);
#endif
    kiln_forward(ctx->weights, ctx->arena, ctx->scratch, input, output);
    return KILN_OK;
}

/* Writes `dims` as "[1, 3, 224, 224]" (the first 8 dims, then "..."), or the dims from
 * `first` on joined by 'x' ("224x224") when `sep` is 'x'. Always terminates `text`. */
static void kiln_dims_text(char* text, size_t size, const int64_t* dims, int first, int rank, char sep) {
    size_t n = 0;
    text[0] = '\0';
    if (sep != 'x') n += (size_t)snprintf(text, size, "[");
    for (int i = first; i < rank && n < size; i++) {
        if (i - first == 8) {
            n += (size_t)snprintf(text + n, size - n, sep == 'x' ? "x..." : ", ...");
            break;
        }
        n += (size_t)snprintf(text + n, size - n, "%s%lld", i == first ? "" : sep == 'x' ? "x" : ", ", (long long)dims[i]);
    }
    if (sep != 'x' && n < size) snprintf(text + n, size - n, "]");
}

/* The letters naming the dims of a rank ("NCHW"), "" for a rank with no usual layout. */
static const char* kiln_layout(int rank) {
    static const char* const layouts[] = {"", "N", "NC", "NCL", "NCHW", "NCDHW"};
    return rank >= 0 && rank < (int)(sizeof layouts / sizeof layouts[0]) ? layouts[rank] : "";
}

/* What dim `i` of a rank-`rank` input is: "batch", "channels", "height", ... */
static const char* kiln_dim_name(int i, int rank) {
    static const char* const spatial4[] = {"height", "width"}, *const spatial5[] = {"depth", "height", "width"};
    if (i == 0) return "batch";
    if (i == 1) return "channels";
    if (rank == 3) return "length";
    if (rank == 4) return spatial4[i - 2];
    if (rank == 5) return spatial5[i - 2];
    return "size";
}

/* The spatial dims (2 on) of a rank: "height x width". */
static const char* kiln_spatial_names(int rank) {
    return rank == 3 ? "length" : rank == 4 ? "height x width" : rank == 5 ? "depth x height x width" : "spatial size";
}

kiln_status kiln_run_checked(kiln_ctx* ctx, const float* input, size_t input_floats, const int64_t* input_shape,
                             int input_rank, float* output, size_t output_floats) {
    if (!ctx || !input || !input_shape || !output)
        return kiln_fail(KILN_ERR_ARGUMENT, "kiln_run_checked: the %s is NULL",
                         !ctx ? "context" : !input ? "input" : !input_shape ? "input shape" : "output");
    const int rank = KILN_INPUT_RANK;
    const char* layout = kiln_layout(rank);
    char want[256], got[256];
    kiln_dims_text(want, sizeof want, kiln_input_dims, 0, rank, ',');
    if (input_rank != rank) {
        kiln_dims_text(got, sizeof got, input_shape, 0, input_rank, ',');
        return kiln_fail(KILN_ERR_SHAPE, "input has rank %d %s; model '%s' expects rank %d %s%s%s", input_rank,
                         input_rank >= 0 ? got : "(negative)", KILN_MODEL_NAME, rank, layout, *layout ? " " : "", want);
    }
    kiln_dims_text(got, sizeof got, input_shape, 0, rank, ',');
    for (int i = 0; i < rank; i++) {
        if (input_shape[i] >= 1) continue;
        if (i == 0 && input_shape[0] == 0)
            return kiln_fail(KILN_ERR_SHAPE, "input %s has batch 0 (dim 0), an empty batch; model '%s' expects %s%s%s",
                             got, KILN_MODEL_NAME, layout, *layout ? " " : "", want);
        return kiln_fail(KILN_ERR_SHAPE, "input %s has %s %lld (dim %d); every dim must be at least 1, and model '%s' expects %s%s%s",
                         got, kiln_dim_name(i, rank), (long long)input_shape[i], i, KILN_MODEL_NAME, layout,
                         *layout ? " " : "", want);
    }
    if (rank >= 2 && input_shape[1] != kiln_input_dims[1])
        return kiln_fail(KILN_ERR_SHAPE, "input %s has %lld channels (dim 1); model '%s' expects %lld channels: %s%s%s",
                         got, (long long)input_shape[1], KILN_MODEL_NAME, (long long)kiln_input_dims[1], layout,
                         *layout ? " " : "", want);
    for (int i = 2; i < rank; i++) {
        if (input_shape[i] == kiln_input_dims[i]) continue;
        char got_size[160], want_size[160], hint[96];
        kiln_dims_text(got_size, sizeof got_size, input_shape, 2, rank, 'x');
        kiln_dims_text(want_size, sizeof want_size, kiln_input_dims, 2, rank, 'x');
        if (rank == 4)
            snprintf(hint, sizeof hint, "kiln emit --height %lld --width %lld", (long long)input_shape[2],
                     (long long)input_shape[rank - 1]);
        else
            snprintf(hint, sizeof hint, "kiln emit for that size");
        return kiln_fail(KILN_ERR_SHAPE, "input %s is %s (%s); model '%s' was compiled for %s: shapes are static, "
                         "so re-emit it with %s", got, got_size, kiln_spatial_names(rank), KILN_MODEL_NAME, want_size, hint);
    }
    if (rank >= 1 && input_shape[0] != kiln_input_dims[0]) {
        const long long n = (long long)input_shape[0], compiled = (long long)kiln_input_dims[0];
        char split[96] = "";
        if (n % compiled == 0) snprintf(split, sizeof split, ", or run %lld batches of %lld", n / compiled, compiled);
        return kiln_fail(KILN_ERR_SHAPE, "input %s has batch %lld (dim 0); model '%s' was compiled for batch %lld: shapes are "
                         "static, so re-emit it with kiln emit --batch %lld%s", got, n, KILN_MODEL_NAME, compiled, n, split);
    }
    if (input_floats != (size_t)KILN_INPUT_FLOATS)
        return kiln_fail(KILN_ERR_SIZE, "the input buffer holds %zu floats, but shape %s is %zu floats", input_floats, got,
                         (size_t)KILN_INPUT_FLOATS);
    if (output_floats != (size_t)KILN_OUTPUT_FLOATS) {
        kiln_dims_text(want, sizeof want, kiln_output_dims, 0, KILN_OUTPUT_RANK, ',');
        return kiln_fail(KILN_ERR_SIZE, "the output buffer holds %zu floats, but model '%s' writes %zu (output %s)",
                         output_floats, KILN_MODEL_NAME, (size_t)KILN_OUTPUT_FLOATS, want);
    }
    const uintptr_t in = (uintptr_t)input, out = (uintptr_t)output;
    if (in < out + output_floats * sizeof(float) && out < in + input_floats * sizeof(float))
        return kiln_fail(KILN_ERR_ARGUMENT, "kiln_run_checked: the input and output buffers overlap; use separate buffers");
    return kiln_run(ctx, input, output);
}

const char* kiln_last_error(void) { return kiln_error_text; }

const char* kiln_status_name(kiln_status status) {
    static const char* const names[] = {"KILN_OK", "KILN_ERR_ARGUMENT", "KILN_ERR_IO", "KILN_ERR_FORMAT",
                                        "KILN_ERR_VERSION", "KILN_ERR_SIZE", "KILN_ERR_MODEL",
                                        "KILN_ERR_CHECKSUM", "KILN_ERR_NOMEM", "KILN_ERR_SHAPE"};
    const unsigned i = (unsigned)status;
    return i < sizeof names / sizeof names[0] ? names[i] : "unknown status";
}

const char* kiln_model_name(void) { return KILN_MODEL_NAME; }
int kiln_input_rank(void) { return KILN_INPUT_RANK; }
const int64_t* kiln_input_shape(void) { return kiln_input_dims; }
int kiln_output_rank(void) { return KILN_OUTPUT_RANK; }
const int64_t* kiln_output_shape(void) { return kiln_output_dims; }
size_t kiln_input_floats(void) { return KILN_INPUT_FLOATS; }
size_t kiln_output_floats(void) { return KILN_OUTPUT_FLOATS; }
size_t kiln_arena_bytes(void) { return (size_t)KILN_ARENA_FLOATS * sizeof(float); }
size_t kiln_weight_floats(void) { return KILN_WEIGHT_FLOATS; }
