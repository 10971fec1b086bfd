/* kiln.h — the C API of one model compiled by Kiln.
 *
 * `kiln emit --name PREFIX` writes this file as PREFIX.h with every kiln_ / KILN_ name below
 * renamed to PREFIX_ / PREFIX_ (upper case), so two emitted models link into one program.
 * The Kiln JIT uses it as is. Keep every identifier declared here public and prefixed: the
 * rename is derived from this file's declarations.
 *
 * Use:
 *     kiln_ctx* ctx = NULL;
 *     if (kiln_create_from_file("model.weights", &ctx) != KILN_OK) {
 *         fprintf(stderr, "%s\n", kiln_last_error());
 *         return 1;
 *     }
 *     kiln_run(ctx, input, output);   // input: kiln_input_floats() floats, NCHW
 *     kiln_free(ctx);
 *
 * Shapes are static: the model runs on exactly the input shape it was compiled for.
 * A context owns its activation memory, so contexts may run concurrently on different
 * threads; one context must not be used by two threads at once. Every function that can
 * fail returns a kiln_status and leaves a one-sentence reason in kiln_last_error().
 */
#ifndef KILN_H
#define KILN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Why a call failed. KILN_OK is 0; every other value is an error. */
typedef enum kiln_status {
    KILN_OK = 0,
    KILN_ERR_ARGUMENT = 1, /* a NULL pointer, a thread count below 1, no embedded weights */
    KILN_ERR_IO = 2,       /* the weights file cannot be opened or read */
    KILN_ERR_FORMAT = 3,   /* not a Kiln weights file (bad magic, bad header) */
    KILN_ERR_VERSION = 4,  /* a weights format version this library does not read */
    KILN_ERR_SIZE = 5,     /* truncated or oversized file, or a buffer of the wrong length */
    KILN_ERR_MODEL = 6,    /* weights prepared for another model or another compile of it */
    KILN_ERR_CHECKSUM = 7, /* the weights are damaged (checksum mismatch) */
    KILN_ERR_NOMEM = 8     /* an allocation failed */
} kiln_status;

/* An opaque context: the weights plus this context's activation arena and scratch. */
typedef struct kiln_ctx kiln_ctx;

/* Creates a context from a weights file written by `kiln emit` (memory-mapped where the
 * platform has mmap, read into memory otherwise). Validates the header, the model
 * fingerprint, the size and the checksum before anything runs. On failure *ctx is NULL. */
kiln_status kiln_create_from_file(const char* path, kiln_ctx** ctx);

/* Same, from a weights file already in memory. The buffer is used in place when its float
 * data is suitably aligned, so it must stay valid and unchanged until kiln_free. */
kiln_status kiln_create_from_memory(const void* data, size_t bytes, kiln_ctx** ctx);

/* Same, from the weights compiled into the library (`kiln emit --embed-weights`);
 * KILN_ERR_ARGUMENT if the library was emitted without them. */
kiln_status kiln_create_embedded(kiln_ctx** ctx);

/* Creates a context on an already prepared float buffer (no file header: the layout the
 * Kiln Swift runtime passes). The buffer is borrowed until kiln_free. NULL on failure. */
kiln_ctx* kiln_create(const float* weights, size_t weight_floats);

/* Runs the model: input holds kiln_input_floats() floats (NCHW), output receives
 * kiln_output_floats() floats. input and output must not overlap. */
kiln_status kiln_run(kiln_ctx* ctx, const float* input, float* output);

/* Threads kiln_run uses (default: the OpenMP default, 1 without OpenMP). A build without
 * OpenMP accepts any count and runs on one thread. */
kiln_status kiln_set_threads(kiln_ctx* ctx, int threads);
int kiln_get_threads(const kiln_ctx* ctx);

/* Frees the context and its memory (and unmaps the weights file). NULL is ignored. */
void kiln_free(kiln_ctx* ctx);

/* The reason for the last failure of a kiln_ call on this thread ("" if none). */
const char* kiln_last_error(void);
/* A constant name for a status, e.g. "KILN_ERR_CHECKSUM". */
const char* kiln_status_name(kiln_status status);

/* Static facts about the model. Shapes are NCHW for the input, e.g. [N, classes] for logits. */
const char* kiln_model_name(void);
int kiln_input_rank(void);
const int64_t* kiln_input_shape(void);
int kiln_output_rank(void);
const int64_t* kiln_output_shape(void);
size_t kiln_input_floats(void);
size_t kiln_output_floats(void);
/* Bytes of activation memory each context allocates (plus per-thread scratch). */
size_t kiln_arena_bytes(void);
/* Floats of prepared weights the model reads (the data part of the weights file). */
size_t kiln_weight_floats(void);

#ifdef __cplusplus
}
#endif

#endif /* KILN_H */
