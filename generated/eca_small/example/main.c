/* main.c — example program of a model emitted by `kiln emit`: classifies one input.
 *
 *   example [-r RUNS] [-s SHAPE] WEIGHTS INPUT [OUTPUT]
 *
 * WEIGHTS  the weights file written by kiln emit, or "embedded" for a library emitted with
 *          --embed-weights
 * INPUT    the input tensor as raw little-endian float32, NCHW, exactly eca_small_input_floats()
 *          values (from numpy: x.astype("<f4").tofile("input.f32"))
 * OUTPUT   optional: where to write the output tensor the same way
 * -r RUNS  time RUNS runs after the first and print the median
 * -s SHAPE the input's shape, e.g. 1x3x224x224 (default: the model's, eca_small_input_shape())
 *
 * Runs through eca_small_run_checked, so an input of another shape or length (a SHAPE the model was
 * not compiled for, a file of the wrong size) is refused with the library's own message.
 *
 * Prints the top-5 classes of each image (the last axis of the output). Threads: the OpenMP
 * default, i.e. OMP_NUM_THREADS or all cores. Exit status 1 with one line on any error.
 * (In the Kiln repository this file is templates/emit/main.c; kiln emit renames kiln_ to the
 * library's prefix.)
 */
#include "../eca_small.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Reads the whole file as float32 values into *data (malloc'ed) and their number into *count;
 * returns 0, or -1 with a line on stderr. */
static int read_floats(const char* path, float** data, size_t* count) {
    FILE* f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open input '%s'\n", path);
        return -1;
    }
    size_t bytes = 0, capacity = 1 << 16;
    unsigned char* buffer = malloc(capacity);
    while (buffer) {
        bytes += fread(buffer + bytes, 1, capacity - bytes, f);
        if (bytes < capacity) break; /* end of file (or an error, see ferror) */
        capacity *= 2;
        unsigned char* bigger = realloc(buffer, capacity);
        if (!bigger) free(buffer);
        buffer = bigger;
    }
    const int failed = !buffer || ferror(f);
    fclose(f);
    if (failed || bytes % sizeof(float) != 0) {
        fprintf(stderr, failed ? "cannot read input '%s'\n" : "input '%s' is not a whole number of float32 values\n", path);
        free(buffer);
        return -1;
    }
    *data = (float*)(void*)buffer;
    *count = bytes / sizeof(float);
    return 0;
}

/* Parses "1x3x224x224" into dims; returns the rank, or -1. */
static int parse_shape(const char* text, int64_t* dims, int capacity) {
    int rank = 0;
    for (const char* p = text;; p++) {
        char* end;
        const long long d = strtoll(p, &end, 10);
        if (end == p || rank == capacity) return -1;
        dims[rank++] = d;
        p = end;
        if (*p == '\0') return rank;
        if (*p != 'x') return -1;
    }
}

static double now_ms(void) {
    struct timespec t;
    timespec_get(&t, TIME_UTC);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int compare_doubles(const void* a, const void* b) {
    const double x = *(const double*)a, y = *(const double*)b;
    return (x > y) - (x < y);
}

/* Prints the five largest of `classes` logits. */
static void print_top5(const float* row, size_t classes, size_t image) {
    int best[5];
    int found = 0;
    for (; found < 5 && (size_t)found < classes; found++) {
        int arg = -1;
        for (size_t c = 0; c < classes; c++) {
            int taken = 0;
            for (int j = 0; j < found; j++) taken |= best[j] == (int)c;
            if (!taken && (arg < 0 || row[c] > row[arg])) arg = (int)c;
        }
        best[found] = arg;
    }
    printf("image %zu: top-5", image);
    for (int j = 0; j < found; j++) printf("%s %d (%.4f)", j ? "," : "", best[j], row[best[j]]);
    printf("\n");
}

int main(int argc, char** argv) {
    int runs = 0, arg = 1, rank = eca_small_input_rank();
    const int64_t* shape = eca_small_input_shape();
    int64_t parsed[8];
    for (; argc - arg > 2 && argv[arg][0] == '-'; arg += 2) {
        if (strcmp(argv[arg], "-r") == 0) {
            runs = atoi(argv[arg + 1]);
        } else if (strcmp(argv[arg], "-s") == 0) {
            rank = parse_shape(argv[arg + 1], parsed, 8);
            shape = parsed;
        } else {
            runs = -1;
            break;
        }
    }
    if (argc - arg < 2 || argc - arg > 3 || runs < 0 || rank < 0) {
        fprintf(stderr, "usage: %s [-r RUNS] [-s NxCxHxW] WEIGHTS|embedded INPUT.f32 [OUTPUT.f32]\n", argv[0]);
        return 2;
    }
    eca_small_ctx* ctx = NULL;
    const eca_small_status status = strcmp(argv[arg], "embedded") == 0 ? eca_small_create_embedded(&ctx)
                                                                     : eca_small_create_from_file(argv[arg], &ctx);
    if (status != ECA_SMALL_OK) {
        fprintf(stderr, "%s: %s\n", eca_small_status_name(status), eca_small_last_error());
        return 1;
    }
    float* input = NULL;
    size_t in_floats = 0;
    const int loaded = read_floats(argv[arg + 1], &input, &in_floats);
    const size_t out_floats = eca_small_output_floats();
    float* output = malloc(out_floats * sizeof(float));
    double* times = malloc((size_t)(runs + 1) * sizeof(double));
    int rc = 1;
    if (loaded != 0 || !output || !times) goto done;
    for (int r = 0; r <= runs; r++) {
        const double start = now_ms();
        const eca_small_status run = eca_small_run_checked(ctx, input, in_floats, shape, rank, output, out_floats);
        if (run != ECA_SMALL_OK) {
            fprintf(stderr, "%s: %s (input file '%s')\n", eca_small_status_name(run), eca_small_last_error(), argv[arg + 1]);
            goto done;
        }
        times[r] = now_ms() - start;
    }
    const size_t classes = (size_t)eca_small_output_shape()[eca_small_output_rank() - 1];
    for (size_t i = 0; i < out_floats / classes; i++) print_top5(output + i * classes, classes, i);
    printf("model %s, %d threads, first run %.3f ms\n", eca_small_model_name(), eca_small_get_threads(ctx), times[0]);
    if (runs > 0) {
        qsort(times + 1, (size_t)runs, sizeof(double), compare_doubles);
        printf("median: %.3f ms\n", times[1 + runs / 2]);
    }
    if (argc - arg == 3) {
        FILE* f = fopen(argv[arg + 2], "wb");
        if (!f || fwrite(output, sizeof(float), out_floats, f) != out_floats) {
            fprintf(stderr, "cannot write output '%s'\n", argv[arg + 2]);
            if (f) fclose(f);
            goto done;
        }
        fclose(f);
    }
    rc = 0;
done:
    free(times);
    free(output);
    free(input);
    eca_small_free(ctx);
    return rc;
}
