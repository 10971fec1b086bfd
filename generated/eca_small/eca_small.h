/* kiln.h — the C API of one model compiled by Kiln.
 *
 * `kiln emit --name PREFIX` writes this file as PREFIX.h with every kiln_ / KILN_ name below
 * renamed to PREFIX_ / PREFIX_ (upper case), so two emitted models link into one program.
 * The Kiln JIT uses it as is. Keep every identifier declared here public and prefixed: the
 * rename is derived from this file's declarations.
 *
 * Use:
 *     eca_small_ctx* ctx = NULL;
 *     if (eca_small_create_from_file("model.weights", &ctx) != ECA_SMALL_OK) {
 *         fprintf(stderr, "%s\n", eca_small_last_error());
 *         return 1;
 *     }
 *     const int64_t shape[4] = {1, 3, 224, 224};   // the shape of the data in input, NCHW
 *     eca_small_status status = eca_small_run_checked(ctx, input, input_floats, shape, 4, output, output_floats);
 *     if (status != ECA_SMALL_OK) fprintf(stderr, "%s: %s\n", eca_small_status_name(status), eca_small_last_error());
 *     eca_small_free(ctx);
 *
 * Shapes are static: the model runs on exactly the input shape it was compiled for, and
 * eca_small_run_checked refuses any other; eca_small_run (the unchecked fast path) trusts the caller.
 * A context owns its activation memory, so contexts may run concurrently on different
 * threads; one context must not be used by two threads at once. Every function that can
 * fail returns a eca_small_status and leaves a one-sentence reason in eca_small_last_error().
 */
#ifndef ECA_SMALL_H
#define ECA_SMALL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Why a call failed. ECA_SMALL_OK is 0; every other value is an error. */
typedef enum eca_small_status {
    ECA_SMALL_OK = 0,
    ECA_SMALL_ERR_ARGUMENT = 1, /* a NULL pointer, a thread count below 1, no embedded weights, overlapping buffers */
    ECA_SMALL_ERR_IO = 2,       /* the weights file cannot be opened or read */
    ECA_SMALL_ERR_FORMAT = 3,   /* not a Kiln weights file (bad magic, bad header) */
    ECA_SMALL_ERR_VERSION = 4,  /* a weights format version this library does not read */
    ECA_SMALL_ERR_SIZE = 5,     /* truncated or oversized file, or a buffer of the wrong length */
    ECA_SMALL_ERR_MODEL = 6,    /* weights prepared for another model or another compile of it */
    ECA_SMALL_ERR_CHECKSUM = 7, /* the weights are damaged (checksum mismatch) */
    ECA_SMALL_ERR_NOMEM = 8,    /* an allocation failed */
    ECA_SMALL_ERR_SHAPE = 9     /* an input shape other than the one the model was compiled for */
} eca_small_status;

/* An opaque context: the weights plus this context's activation arena and scratch. */
typedef struct eca_small_ctx eca_small_ctx;

/* Creates a context from a weights file written by `kiln emit` (memory-mapped where the
 * platform has mmap, read into memory otherwise). Validates the header, the model
 * fingerprint, the size and the checksum before anything runs. On failure *ctx is NULL. */
eca_small_status eca_small_create_from_file(const char* path, eca_small_ctx** ctx);

/* Same, from a weights file already in memory. The buffer is used in place when its float
 * data is suitably aligned, so it must stay valid and unchanged until eca_small_free. */
eca_small_status eca_small_create_from_memory(const void* data, size_t bytes, eca_small_ctx** ctx);

/* Same, from the weights compiled into the library (`kiln emit --embed-weights`);
 * ECA_SMALL_ERR_ARGUMENT if the library was emitted without them. */
eca_small_status eca_small_create_embedded(eca_small_ctx** ctx);

/* Creates a context on an already prepared float buffer (no file header: the layout the
 * Kiln Swift runtime passes). The buffer is borrowed until eca_small_free. NULL on failure. */
eca_small_ctx* eca_small_create(const float* weights, size_t weight_floats);

/* Runs the model, checking the caller's description of its buffers first: input holds
 * input_floats floats of shape input_shape[0 .. input_rank-1] (NCHW), output has room for
 * output_floats floats. Fails, running nothing, with
 *   ECA_SMALL_ERR_ARGUMENT  a NULL context, input, shape or output, or overlapping buffers;
 *   ECA_SMALL_ERR_SHAPE     a shape other than eca_small_input_shape(): another rank, an empty batch
 *                      (any dim below 1), another channel count, another spatial size or
 *                      another batch (shapes are static: re-emit for another one);
 *   ECA_SMALL_ERR_SIZE      input_floats != eca_small_input_floats() or output_floats != eca_small_output_floats().
 * The checks cost nanoseconds; then it runs exactly as eca_small_run. */
eca_small_status eca_small_run_checked(eca_small_ctx* ctx, const float* input, size_t input_floats, const int64_t* input_shape,
                             int input_rank, float* output, size_t output_floats);

/* The unchecked fast path: runs the model on input, which must hold eca_small_input_floats()
 * floats of exactly eca_small_input_shape() (NCHW), writing eca_small_output_floats() floats to output.
 * Only NULL pointers are caught: a buffer of another shape or length is read or written out
 * of bounds. input and output must not overlap. */
eca_small_status eca_small_run(eca_small_ctx* ctx, const float* input, float* output);

/* Threads eca_small_run uses (default: the OpenMP default, 1 without OpenMP). A build without
 * OpenMP accepts any count and runs on one thread. */
eca_small_status eca_small_set_threads(eca_small_ctx* ctx, int threads);
int eca_small_get_threads(const eca_small_ctx* ctx);

/* Frees the context and its memory (and unmaps the weights file). NULL is ignored. */
void eca_small_free(eca_small_ctx* ctx);

/* The reason for the last failure of a kiln_ call on this thread ("" if none). */
const char* eca_small_last_error(void);
/* A constant name for a status, e.g. "ECA_SMALL_ERR_CHECKSUM". */
const char* eca_small_status_name(eca_small_status status);

/* Static facts about the model. Shapes are NCHW for the input, e.g. [N, classes] for logits. */
const char* eca_small_model_name(void);
int eca_small_input_rank(void);
const int64_t* eca_small_input_shape(void);
int eca_small_output_rank(void);
const int64_t* eca_small_output_shape(void);
size_t eca_small_input_floats(void);
size_t eca_small_output_floats(void);
/* Bytes of activation memory each context allocates (plus per-thread scratch). */
size_t eca_small_arena_bytes(void);
/* Floats of prepared weights the model reads (the data part of the weights file). */
size_t eca_small_weight_floats(void);

#ifdef __cplusplus
}
#endif

#endif /* ECA_SMALL_H */
