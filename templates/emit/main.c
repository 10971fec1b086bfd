/* main.c — example program of a model emitted by `kiln emit`: classifies one input.
 *
 *   example [-r RUNS] WEIGHTS INPUT [OUTPUT]
 *
 * WEIGHTS  the weights file written by kiln emit, or "embedded" for a library emitted with
 *          --embed-weights
 * INPUT    the input tensor as raw little-endian float32, NCHW, exactly kiln_input_floats()
 *          values (from numpy: x.astype("<f4").tofile("input.f32"))
 * OUTPUT   optional: where to write the output tensor the same way
 * -r RUNS  time RUNS runs after the first and print the median
 *
 * Prints the top-5 classes of each image (the last axis of the output). Threads: the OpenMP
 * default, i.e. OMP_NUM_THREADS or all cores. Exit status 1 with one line on any error.
 * (In the Kiln repository this file is templates/emit/main.c; kiln emit renames kiln_ to the
 * library's prefix.)
 */
#include "../runtime/kiln.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static float* read_floats(const char* path, size_t count) {
    FILE* f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open input '%s'\n", path);
        return NULL;
    }
    float* data = malloc(count * sizeof(float) + 1);
    size_t got = data ? fread(data, sizeof(float), count, f) : 0;
    const int extra = fgetc(f) != EOF;
    fclose(f);
    if (!data || got != count || extra) {
        fprintf(stderr, "input '%s' must hold exactly %zu float32 values (%zu bytes)\n", path, count,
                count * sizeof(float));
        free(data);
        return NULL;
    }
    return data;
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
    int runs = 0, arg = 1;
    if (argc > 2 && strcmp(argv[1], "-r") == 0) {
        runs = atoi(argv[2]);
        arg = 3;
    }
    if (argc - arg < 2 || argc - arg > 3 || runs < 0) {
        fprintf(stderr, "usage: %s [-r RUNS] WEIGHTS|embedded INPUT.f32 [OUTPUT.f32]\n", argv[0]);
        return 2;
    }
    kiln_ctx* ctx = NULL;
    const kiln_status status = strcmp(argv[arg], "embedded") == 0 ? kiln_create_embedded(&ctx)
                                                                     : kiln_create_from_file(argv[arg], &ctx);
    if (status != KILN_OK) {
        fprintf(stderr, "%s: %s\n", kiln_status_name(status), kiln_last_error());
        return 1;
    }
    const size_t in_floats = kiln_input_floats(), out_floats = kiln_output_floats();
    float* input = read_floats(argv[arg + 1], in_floats);
    float* output = malloc(out_floats * sizeof(float));
    double* times = malloc((size_t)(runs + 1) * sizeof(double));
    int rc = 1;
    if (!input || !output || !times) goto done;
    for (int r = 0; r <= runs; r++) {
        const double start = now_ms();
        if (kiln_run(ctx, input, output) != KILN_OK) {
            fprintf(stderr, "%s\n", kiln_last_error());
            goto done;
        }
        times[r] = now_ms() - start;
    }
    const size_t classes = (size_t)kiln_output_shape()[kiln_output_rank() - 1];
    for (size_t i = 0; i < out_floats / classes; i++) print_top5(output + i * classes, classes, i);
    printf("model %s, %d threads, first run %.3f ms\n", kiln_model_name(), kiln_get_threads(ctx), times[0]);
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
    kiln_free(ctx);
    return rc;
}
